// The console's only way to the server: the public REST API with the admin token as a Bearer
// header. The token lives in sessionStorage (this tab only), never in a cookie, a URL or a log.

const KEY = 'voi.console.token';
const BASE = new URL('../api/v1/', import.meta.url);

export const session = {
  token: () => sessionStorage.getItem(KEY),
  signIn: (token) => sessionStorage.setItem(KEY, token),
  signOut: () => sessionStorage.removeItem(KEY),
};

/** A refusal of the server (problem+json) or a failure to reach it. */
export class Problem extends Error {
  constructor(status, title, detail) {
    super(title + (detail ? ': ' + detail : ''));
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

export function url(path, query) {
  const u = new URL(path.replace(/^\//, ''), BASE);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== null && value !== undefined && value !== '') u.searchParams.set(key, value);
  }
  return u;
}

function unauthorized() {
  window.dispatchEvent(new CustomEvent('voi:unauthorized'));
}

async function problemOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (ignored) {
    // not problem+json: the status says it
  }
  if (response.status === 401) unauthorized();
  return new Problem(response.status,
    body && body.title ? String(body.title) : 'HTTP ' + response.status,
    body && body.detail ? String(body.detail) : '');
}

function headers(accept, json) {
  const h = { Authorization: 'Bearer ' + (session.token() || ''), Accept: accept };
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

/** One JSON request; resolves to the body (null for 204), rejects with a Problem. */
export async function api(path, { method = 'GET', query, body, signal } = {}) {
  let response;
  try {
    response = await fetch(url(path, query), {
      method,
      headers: headers('application/json', body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new Problem(0, 'The server cannot be reached', error.message);
  }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : null;
}

/**
 * Sends a file as the raw body (XMLHttpRequest, for its upload progress). Returns
 * {promise, abort}; progress(sent, total) is called as bytes leave.
 */
export function upload(path, query, file, progress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', url(path, query));
    xhr.setRequestHeader('Authorization', 'Bearer ' + (session.token() || ''));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) progress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (ignored) {
        // no JSON body
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body);
      } else {
        if (xhr.status === 401) unauthorized();
        reject(new Problem(xhr.status,
          body && body.title ? String(body.title) : 'HTTP ' + xhr.status,
          body && body.detail ? String(body.detail) : ''));
      }
    });
    xhr.addEventListener('abort', () => reject(new Problem(0, 'Upload cancelled', '')));
    xhr.addEventListener('error', () =>
      reject(new Problem(0, 'The upload failed', 'the connection broke')));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}

/** Fetches a report with the Bearer header and hands it to the browser as a file. */
export async function download(path, accept, fileName) {
  const response = await fetch(url(path), {
    headers: headers(accept, false), cache: 'no-store', credentials: 'omit',
  });
  if (!response.ok) throw await problemOf(response);
  const blob = await response.blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  return blob;
}
