// Audits: the runs, starting one and watching it to its end, a run's findings, its report as JSON
// and XML (fetched with the Bearer header, never through a URL carrying the token).
import { api, download } from '../api.js';
import { h, put, bytes, when, loading, done, problemBox } from '../dom.js';

function runTable(runs) {
  if (runs.length === 0) return h('p', { class: 'empty' }, 'No audit has run yet.');
  return h('div', { class: 'scroll' }, h('table', { id: 'audit-runs' },
    h('thead', null, h('tr', null, ['Run', 'Trigger', 'State', 'Started', 'Finished', 'Findings',
      'Changed'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, runs.map((r) => h('tr', { 'data-id': r.id },
      h('td', null, h('a', { href: '#/audits/' + r.id }, '#' + r.id)), h('td', null, r.trigger),
      h('td', { 'data-field': 'state' }, r.state), h('td', null, when(r.startedAt)),
      h('td', null, when(r.finishedAt)), h('td', null, r.sweep ? r.sweep.findings : '–'),
      h('td', null, r.terminals ? r.terminals.changed : '–'))))));
}

function runDetail(run) {
  const findings = run.findings || [];
  const changes = run.changes || [];
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const report = (accept, ext) => async () => {
    try {
      await download('audits/' + run.id, accept, 'audit-' + run.id + '.' + ext);
      status.textContent = 'Downloaded audit-' + run.id + '.' + ext + '.';
    } catch (error) {
      put(status, problemBox(error));
    }
  };
  return h('section', { class: 'card', id: 'audit-detail', 'data-id': run.id, 'data-state': run.state },
    h('h2', null, 'Audit #' + run.id + ' · ', h('span', { id: 'audit-state' }, run.state)),
    h('dl', { class: 'facts' },
      h('dt', null, 'Started'), h('dd', null, when(run.startedAt)),
      h('dt', null, 'Finished'), h('dd', null, when(run.finishedAt)),
      run.detail ? [h('dt', null, 'Detail'), h('dd', null, run.detail)] : null,
      run.sweep ? [h('dt', null, 'Layers checked'), h('dd', null, run.sweep.layersChecked + ' ('
        + bytes(run.sweep.bytesChecked) + ')'), h('dt', null, 'Quarantined'),
      h('dd', null, run.sweep.quarantined)] : null,
      run.terminals ? [h('dt', null, 'Answers decided'), h('dd', null, run.terminals.decisions),
        h('dt', null, 'Changed'), h('dd', null, run.terminals.changed),
        h('dt', null, 'Not seen lately'), h('dd', null, run.terminals.stale)] : null),
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'report-json', onclick: report('application/json', 'json') }, 'Report as JSON'),
      h('button', { type: 'button', id: 'report-xml', onclick: report('application/xml', 'xml') }, 'Report as XML')),
    status,
    h('h3', null, 'Findings'),
    findings.length === 0 ? h('p', { class: 'empty', id: 'no-findings' },
      run.state === 'RUNNING' ? 'None so far.' : 'None.')
      : h('div', { class: 'scroll' }, h('table', { id: 'findings' },
        h('thead', null, h('tr', null, ['Kind', 'Image', 'Depth', 'File', 'Detail', 'Quarantined']
          .map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, findings.map((f) => h('tr', null,
          h('td', { 'data-field': 'kind' }, f.kind), h('td', { 'data-field': 'image' }, f.image || '–'),
          h('td', null, f.depth ?? '–'), h('td', { class: 'mono' }, f.file || '–'),
          h('td', null, f.detail || ''), h('td', null, f.quarantined ? 'yes' : 'no')))))),
    changes.length ? [h('h3', null, 'Answers that changed'), h('div', { class: 'scroll' },
      h('table', { id: 'changes' }, h('thead', null, h('tr', null, ['Terminal', 'Image', 'Before', 'After']
        .map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, changes.map((c) => h('tr', null,
        h('td', null, h('a', { href: '#/terminals/' + c.terminalId }, c.terminalName)),
        h('td', null, c.image), h('td', null, (c.oldStrategy || '–') + ' · ' + (c.oldReason || '–')),
        h('td', null, c.newStrategy + ' · ' + c.newReason))))))] : null);
}

export function render(root, id) {
  const start = h('button', { type: 'button', id: 'start-audit' }, 'Start an audit');
  const status = h('div', { class: 'status', 'aria-live': 'polite', id: 'audit-status' });
  const detail = h('div');
  const runs = h('div');
  put(root, h('h1', null, 'Audits'), h('div', { class: 'actions' }, start), status, detail,
    h('h2', null, 'Runs'), runs);
  let alive = true;
  let timer = null;

  async function loadRuns() {
    const page = await api('audits', { query: { limit: 20 } });
    if (alive) put(runs, runTable(page.items));
    return page.items;
  }

  async function watch(runId) {
    try {
      const run = await api('audits/' + runId);
      if (!alive) return;
      put(detail, runDetail(run));
      if (run.state === 'RUNNING') {
        timer = setTimeout(() => watch(runId), 1000);
      } else {
        loadRuns();
      }
    } catch (error) {
      if (alive) put(detail, problemBox(error));
    }
  }

  start.addEventListener('click', async () => {
    start.disabled = true;
    put(status);
    try {
      const run = await api('audits', { method: 'POST' });
      if (alive) location.hash = '#/audits/' + run.id;
    } catch (error) {
      put(status, problemBox(error));
    } finally {
      start.disabled = false;
    }
  });

  loading(runs, 'audit runs');
  loadRuns().then((items) => {
    done(runs);
    if (!id && items.length && alive) watch(items[0].id); // the newest run, until it ends
  }).catch((error) => put(runs, problemBox(error)));
  if (id) watch(id);
  return () => {
    alive = false;
    clearTimeout(timer);
  };
}
