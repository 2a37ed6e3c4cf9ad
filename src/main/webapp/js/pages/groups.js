// Groups: terminal counts and maintenance windows; a group's windows edited.
import { api } from '../api.js';
import { h, put, when, loading, done, problemBox } from '../dom.js';

const LINE = /^\s*([A-Za-z,\s]+?)\s+(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})\s*$/;

function windowsText(group) {
  return group.windows.map((w) => w.days.join(',') + ' ' + w.from + '-' + w.to).join('\n');
}

function parseWindows(text) {
  return text.split('\n').filter((l) => l.trim()).map((line) => {
    const m = line.match(LINE);
    if (!m) throw new Error('"' + line + '" is not DAYS HH:MM-HH:MM, e.g. MON,TUE 22:00-06:00');
    return { days: m[1].split(/[\s,]+/).filter(Boolean).map((d) => d.toUpperCase()), from: m[2], to: m[3] };
  });
}

export function render(root) {
  const body = h('div');
  put(root, h('h1', null, 'Groups'), body);
  let alive = true;
  async function load() {
    loading(body, 'groups');
    try {
      const groups = await api('groups');
      if (!alive) return;
      done(body);
      const name = h('input', { id: 'window-group', required: true, list: 'window-groups' });
      const zone = h('input', { id: 'window-zone', placeholder: 'UTC' });
      const windows = h('textarea', { id: 'window-lines', rows: 3, spellcheck: 'false',
        placeholder: 'MON,TUE,WED,THU,FRI 22:00-06:00' });
      const status = h('div', { class: 'status', 'aria-live': 'polite' });
      const form = h('form', { id: 'window-form', class: 'inline-form' },
        h('h2', null, 'Maintenance windows'),
        h('p', null, 'Downloads of a group run only inside its windows; none: always open.'),
        h('label', { for: 'window-group' }, 'Group'), name,
        h('datalist', { id: 'window-groups' }, groups.items.map((g) => h('option', { value: g.name }))),
        h('label', { for: 'window-zone' }, 'Time zone (IANA)'), zone,
        h('label', { for: 'window-lines' }, 'Windows, one per line: DAYS FROM-TO'), windows,
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save windows')), status);
      name.addEventListener('change', () => {
        const g = groups.items.find((x) => x.name === name.value);
        if (g) {
          zone.value = g.zone || '';
          windows.value = windowsText(g);
        }
      });
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        try {
          await api('groups/' + encodeURIComponent(name.value), { method: 'PUT',
            body: { zone: zone.value || null, windows: parseWindows(windows.value) } });
          load();
        } catch (error) {
          put(status, problemBox(error));
        }
      });
      put(body,
        groups.items.length === 0 ? h('p', { class: 'empty' }, 'No group yet.')
          : h('div', { class: 'scroll' }, h('table', { id: 'groups' },
            h('thead', null, h('tr', null, ['Group', 'Terminals', 'Zone', 'Windows', 'Open now', 'Next change']
              .map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, groups.items.map((g) => h('tr', { 'data-group': g.name },
              h('th', { scope: 'row' }, g.name),
              h('td', { 'data-field': 'terminals' }, g.terminals),
              h('td', { 'data-field': 'zone' }, g.zone || 'UTC'),
              h('td', { 'data-field': 'windows' }, g.windows.length ? windowsText(g) : 'always open'),
              h('td', { 'data-field': 'openNow' }, g.openNow ? 'yes' : 'no'),
              h('td', { 'data-field': 'nextChange' }, when(g.nextChange))))))),
        h('section', { class: 'card' }, form));
    } catch (error) {
      if (alive) {
        done(body);
        put(body, problemBox(error));
      }
    }
  }
  load();
  return () => {
    alive = false;
  };
}
