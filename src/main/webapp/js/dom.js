// Building the page from values: every server value becomes a text node, never markup.

const SVG = 'http://www.w3.org/2000/svg';

function attributes(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value' && 'value' in el) el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function children(el, kids) {
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
}

/** An HTML element with attributes, listeners (onclick …) and children (text or nodes). */
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  attributes(el, props);
  children(el, kids);
  return el;
}

/** An SVG element, the same way. */
export function s(tag, props, ...kids) {
  const el = document.createElementNS(SVG, tag);
  attributes(el, props);
  children(el, kids);
  return el;
}

/** Replaces what the element holds. */
export function put(el, ...kids) {
  el.replaceChildren();
  children(el, kids);
  return el;
}

export function bytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return (u === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[u];
}

/** A moment as the operator reads it, the exact instant in its title. */
export function when(iso) {
  if (!iso) return h('span', { class: 'muted' }, 'never');
  const date = new Date(iso);
  return h('time', { datetime: iso, title: iso }, date.toLocaleString());
}

export function short(checksum) {
  return checksum ? checksum.slice(0, 12) : '–';
}

/** "Loading …" with the region marked busy. */
export function loading(el, what) {
  el.setAttribute('aria-busy', 'true');
  return put(el, h('p', { class: 'loading' }, 'Loading ' + what + ' …'));
}

export function done(el) {
  el.removeAttribute('aria-busy');
}

/** A problem (title and detail) as the page shows it. */
export function problemBox(error) {
  const title = error && error.title ? error.title : 'Something went wrong';
  const detail = error && error.title ? error.detail : error && error.message;
  return h('div', { class: 'problem', role: 'alert' },
    h('strong', { class: 'problem-title' }, title),
    detail ? h('span', { class: 'problem-detail' }, ' ' + detail) : null);
}

/** A modal question; resolves true when confirmed. */
export function confirmDialog(question, action) {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', class: 'danger', 'data-confirm': 'yes' }, action);
    const no = h('button', { type: 'button', 'data-confirm': 'no' }, 'Cancel');
    const dialog = h('dialog', { class: 'confirm', 'aria-label': action },
      h('p', null, question), h('div', { class: 'actions' }, no, yes));
    const finish = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener('click', () => finish(true));
    no.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

export const STRATEGIES = ['STOP', 'INCREMENTAL', 'FULL', 'WAIT'];
export const REASONS = ['UP_TO_DATE', 'ONE_BEHIND', 'BEHIND', 'DIVERGED', 'AHEAD', 'BROKEN_CHAIN',
  'NO_LOCAL_CHAIN', 'LAYER_QUARANTINED', 'OUTSIDE_WINDOW'];
