// One terminal: its answers per image, its history and feedback; assign and unassign images,
// change its group, rotate its token, delete it.
import { api } from '../api.js';
import { h, put, bytes, short, when, loading, done, problemBox, confirmDialog } from '../dom.js';
import { tokenOnce } from './terminals.js';

function answers(t, unassign) {
  if (t.images.length === 0) return h('p', { class: 'empty' }, 'No image assigned.');
  return h('div', { class: 'scroll' }, h('table', { id: 'answers' },
    h('thead', null, h('tr', null, ['Image', 'Wave', 'Strategy', 'Reason', 'Move count', 'Keep',
      'To download', 'Reported', 'Decided', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, t.images.map((i) => h('tr', { 'data-image': i.image },
      h('td', null, h('a', { href: '#/images/' + encodeURIComponent(i.image) }, i.image)),
      h('td', null, i.wave),
      h('td', { 'data-field': 'strategy' }, i.strategy || '–'),
      h('td', { 'data-field': 'reason' }, i.reason || 'not reported'),
      h('td', null, i.moveCount ?? '–'), h('td', null, i.keep ?? '–'),
      h('td', null, bytes(i.totalBytes)),
      h('td', null, i.reportedLayers === null ? '–' : i.reportedLayers + ' layers, ', when(i.reportedAt)),
      h('td', null, when(i.decidedAt)),
      h('td', null, h('button', { type: 'button', class: 'small', onclick: () => unassign(i.image) },
        'Unassign')))))));
}

function history(items) {
  if (items.length === 0) return h('p', { class: 'empty' }, 'No answer yet.');
  return h('div', { class: 'scroll' }, h('table', { id: 'history' },
    h('thead', null, h('tr', null, ['When', 'Image', 'Triggered by', 'Strategy', 'Reason', 'Keep',
      'Downloads', 'Bytes', 'Tip'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, items.map((c) => h('tr', { 'data-id': c.id },
      h('td', null, when(c.decidedAt)), h('td', null, c.image),
      h('td', { 'data-field': 'triggeredBy' }, c.triggeredBy),
      h('td', { 'data-field': 'strategy' }, c.strategy), h('td', { 'data-field': 'reason' }, c.reason),
      h('td', null, c.keep), h('td', null, c.downloads), h('td', null, bytes(c.totalBytes)),
      h('td', { class: 'mono' }, c.tip ? 'd' + c.tip.depth + ' v' + c.tip.version + ' '
        + short(c.tip.checksum) : '–'))))));
}

function feedback(items) {
  if (items.length === 0) return h('p', { class: 'empty' }, 'No feedback yet.');
  return h('div', { class: 'scroll' }, h('table', { id: 'feedback' },
    h('thead', null, h('tr', null, ['When', 'Image', 'State', 'Progress', 'Detail']
      .map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, items.map((f) => h('tr', { 'data-id': f.id },
      h('td', null, when(f.receivedAt)), h('td', null, f.image),
      h('td', { 'data-field': 'state' }, f.state),
      h('td', null, f.progress === null ? '–' : [h('progress', { max: 100, value: f.progress,
        'aria-label': f.progress + '%' }), ' ' + f.progress + '%']),
      h('td', { 'data-field': 'detail' }, f.detail || ''))))));
}

export function render(root, id) {
  const body = h('div');
  put(root, h('p', null, h('a', { href: '#/terminals' }, '‹ All terminals')), body);
  let alive = true;
  const path = 'terminals/' + id;
  const status = h('div', { class: 'status', 'aria-live': 'polite', id: 'terminal-status' });

  const act = async (work) => {
    try {
      await work();
      if (alive) load();
    } catch (error) {
      put(status, problemBox(error));
    }
  };

  async function load() {
    loading(body, 'the terminal');
    try {
      const [t, changes, messages, images] = await Promise.all([api(path),
        api(path + '/history', { query: { limit: 50 } }),
        api(path + '/feedback', { query: { limit: 50 } }),
        api('images', { query: { limit: 1000 } })]);
      if (!alive) return;
      done(body);
      const assigned = new Set(t.images.map((i) => i.image));
      const choices = images.items.map((i) => i.name).filter((n) => !assigned.has(n));
      const assignSelect = h('select', { id: 'assign-image' }, choices.map((n) => h('option', { value: n }, n)));
      const assignForm = h('form', { class: 'inline-form row', id: 'assign-form' },
        h('label', { for: 'assign-image' }, 'Assign image'), assignSelect,
        h('button', { type: 'submit', disabled: choices.length === 0 }, 'Assign'));
      assignForm.addEventListener('submit', (event) => {
        event.preventDefault();
        act(() => api(path + '/images/' + encodeURIComponent(assignSelect.value), { method: 'PUT' }));
      });
      const group = h('input', { id: 'group-name', value: t.group, required: true });
      const groupForm = h('form', { class: 'inline-form row', id: 'group-form' },
        h('label', { for: 'group-name' }, 'Group'), group, h('button', { type: 'submit' }, 'Move'));
      groupForm.addEventListener('submit', (event) => {
        event.preventDefault();
        act(() => api(path + '/group', { method: 'PUT', body: { group: group.value } }));
      });
      const rotate = h('button', { type: 'button', id: 'rotate-token' }, 'Rotate token');
      rotate.addEventListener('click', async () => {
        if (!(await confirmDialog('Rotate the token of ' + t.name + '? The old one stops working at once.',
          'Rotate token'))) return;
        try {
          const fresh = await api(path + '/token', { method: 'POST' });
          put(status, tokenOnce(fresh.token, 'New token for ' + t.name + '.'));
        } catch (error) {
          put(status, problemBox(error));
        }
      });
      const remove = h('button', { type: 'button', class: 'danger', id: 'delete-terminal' }, 'Delete terminal');
      remove.addEventListener('click', async () => {
        if (!(await confirmDialog('Delete ' + t.name + '? Its token stops working at once.', 'Delete'))) return;
        try {
          await api(path, { method: 'DELETE' });
          location.hash = '#/terminals';
        } catch (error) {
          put(status, problemBox(error));
        }
      });
      put(body,
        h('h1', { id: 'terminal-name' }, t.name),
        h('dl', { class: 'facts' }, h('dt', null, 'Id'), h('dd', null, t.id),
          h('dt', null, 'Group'), h('dd', { 'data-field': 'group' }, t.group),
          h('dt', null, 'Registered'), h('dd', null, when(t.createdAt)),
          h('dt', null, 'Last seen'), h('dd', null, when(t.lastSeen))),
        h('div', { class: 'actions' }, rotate, remove), status,
        h('h2', null, 'Answers'), answers(t, (image) => act(() =>
          api(path + '/images/' + encodeURIComponent(image), { method: 'DELETE' }))),
        h('div', { class: 'columns' }, assignForm, groupForm),
        h('h2', null, 'History'), history(changes.items),
        h('h2', null, 'Feedback'), feedback(messages.items));
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
