// The landing page: per image, where its terminals stand; bytes still to move; the last audit.
import { api } from '../api.js';
import { h, s, put, bytes, when, loading, done, problemBox } from '../dom.js';

const COLUMNS = [
  ['upToDate', 'Up to date'],
  ['oneBehind', 'One behind'],
  ['behind', 'Behind'],
  ['diverged', 'Diverged'],
  ['broken', 'Broken'],
  ['empty', 'Empty'],
  ['waiting', 'Waiting'],
  ['ahead', 'Ahead'],
  ['unreported', 'Not reported'],
];

function bar(row) {
  const width = 200;
  const svg = s('svg', { viewBox: `0 0 ${width} 12`, class: 'stack', role: 'img',
    'aria-label': row.image + ': ' + COLUMNS.map(([k, l]) => l + ' ' + row[k]).join(', ') });
  let x = 0;
  for (const [key] of COLUMNS) {
    if (!row.terminals || !row[key]) continue;
    const w = (row[key] / row.terminals) * width;
    svg.append(s('rect', { x, y: 0, width: w, height: 12, class: 'seg-' + key }));
    x += w;
  }
  if (!row.terminals) svg.append(s('rect', { x: 0, y: 0, width, height: 12, class: 'seg-none' }));
  return svg;
}

function legend() {
  return h('ul', { class: 'legend' },
    COLUMNS.map(([key, label]) => h('li', null, s('svg', { viewBox: '0 0 10 10', class: 'swatch' },
      s('rect', { x: 0, y: 0, width: 10, height: 10, class: 'seg-' + key })), label)));
}

function audit(last) {
  if (!last) return h('p', { class: 'empty' }, 'No audit has run yet.');
  return h('dl', { class: 'facts', id: 'last-audit' },
    h('dt', null, 'Run'), h('dd', null, h('a', { href: '#/audits/' + last.id }, '#' + last.id)),
    h('dt', null, 'State'), h('dd', { 'data-field': 'state' }, last.state),
    h('dt', null, 'Started'), h('dd', null, when(last.startedAt)),
    h('dt', null, 'Finished'), h('dd', null, when(last.finishedAt)),
    h('dt', null, 'Findings'), h('dd', { 'data-field': 'findings' }, last.findings),
    h('dt', null, 'Answers changed'), h('dd', null, last.changed),
    h('dt', null, 'Not seen lately'), h('dd', null, last.stale));
}

export function render(root) {
  const body = h('div');
  put(root, h('h1', null, 'Fleet overview'), body);
  const controller = new AbortController();
  loading(body, 'the fleet');
  api('fleet', { signal: controller.signal }).then((fleet) => {
    done(body);
    const table = fleet.images.length === 0
      ? h('p', { class: 'empty' }, 'No image published yet: publish one on the ',
        h('a', { href: '#/images' }, 'Images'), ' page.')
      : h('div', { class: 'scroll' }, h('table', { id: 'fleet-table' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Image'),
          h('th', { scope: 'col' }, 'Terminals'),
          COLUMNS.map(([, label]) => h('th', { scope: 'col' }, label)),
          h('th', { scope: 'col' }, 'To move'), h('th', { scope: 'col' }, 'Share'))),
        h('tbody', null, fleet.images.map((row) => h('tr', { 'data-image': row.image },
          h('th', { scope: 'row' }, h('a', { href: '#/images/' + encodeURIComponent(row.image) },
            row.image)),
          h('td', { 'data-field': 'terminals' }, row.terminals),
          COLUMNS.map(([key]) => h('td', { 'data-field': key, class: row[key] ? '' : 'zero' },
            row[key])),
          h('td', { 'data-field': 'bytesToMove', 'data-bytes': row.bytesToMove }, bytes(row.bytesToMove)),
          h('td', null, bar(row)))))));
    put(body,
      h('div', { class: 'tiles' },
        h('div', { class: 'tile' }, h('span', { class: 'figure', id: 'fleet-assignments' },
          fleet.terminals), h('span', null, 'assigned images on terminals')),
        h('div', { class: 'tile' }, h('span', { class: 'figure', id: 'fleet-bytes' },
          bytes(fleet.bytesToMove)), h('span', null, 'the fleet still has to download'))),
      table, fleet.images.length ? legend() : null,
      h('h2', null, 'Last audit'), audit(fleet.lastAudit));
  }).catch((error) => {
    if (error.name !== 'AbortError') put(body, problemBox(error));
  });
  return () => controller.abort();
}
