// Terminals: a table paged by the server and narrowed by filters, the counts of the filter as a
// chart, and registration (the token shown once).
import { api } from '../api.js';
import { h, put, when, loading, done, problemBox, STRATEGIES, REASONS } from '../dom.js';
import { barChart } from '../chart.js';

const state = { filter: { group: '', image: '', strategy: '', reason: '' }, limit: 20 };

function select(id, label, values, chosen) {
  const el = h('select', { id, name: id },
    h('option', { value: '' }, 'any'), values.map((v) => h('option', { value: v }, v)));
  el.value = chosen || '';
  return [h('label', { for: id }, label), el];
}

function feedbackCell(feedback) {
  if (!feedback) return h('span', { class: 'muted' }, 'none');
  return h('span', { class: 'feedback' },
    h('span', { class: 'fb-state state-' + feedback.state.toLowerCase() }, feedback.state),
    feedback.progress === null ? null : h('progress', { max: 100, value: feedback.progress,
      'aria-label': feedback.state + ' ' + feedback.progress + '%' }),
    feedback.progress === null ? null : ' ' + feedback.progress + '%',
    h('span', { class: 'muted small' }, ' ', feedback.image, ' · '), when(feedback.receivedAt));
}

function registerForm(groups, onDone) {
  const name = h('input', { id: 'register-name', required: true, maxlength: 128 });
  const group = h('input', { id: 'register-group', list: 'group-names', placeholder: 'default' });
  const out = h('div', { id: 'register-result', 'aria-live': 'polite' });
  const form = h('form', { id: 'register-form', class: 'inline-form' },
    h('h2', null, 'Register a terminal'),
    h('label', { for: 'register-name' }, 'Name'), name,
    h('label', { for: 'register-group' }, 'Group'), group,
    h('datalist', { id: 'group-names' }, groups.map((g) => h('option', { value: g.name }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Register')), out);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const created = await api('terminals', { method: 'POST',
        body: { name: name.value, group: group.value || null } });
      name.value = '';
      put(out, tokenOnce(created.token, 'Terminal ' + created.name + ' (id ' + created.id + ') registered.'));
      onDone();
    } catch (error) {
      put(out, problemBox(error));
    }
  });
  return form;
}

/** A token shown this once, with a copy button. */
export function tokenOnce(token, heading) {
  const field = h('input', { class: 'token', readonly: true, value: token, id: 'new-token',
    'aria-label': 'The new token', spellcheck: 'false' });
  const copied = h('span', { class: 'status', 'aria-live': 'polite' });
  const copy = h('button', { type: 'button', id: 'copy-token' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      copied.textContent = ' Copied.';
    } catch (error) {
      field.select();
      copied.textContent = ' Select and copy it by hand.';
    }
  });
  return h('div', { class: 'token-once' }, h('p', null, heading,
    ' Its token is shown this once: give it to the terminal now.'), field, copy, copied);
}

export function render(root) {
  const filters = h('form', { class: 'filters', id: 'terminal-filters' });
  const chart = h('div', { class: 'chart-wrap' });
  const table = h('div', { class: 'table-wrap' });
  const pager = h('div', { class: 'pager' });
  const register = h('section', { class: 'card' });
  put(root, h('h1', null, 'Terminals'), filters,
    h('div', { class: 'columns wide-first' }, h('div', null, table, pager),
      h('section', { class: 'card' }, h('h2', null, 'Answers of this filter'), chart)),
    register);
  let alive = true;
  let cursors = [null]; // the cursor of each page seen so far
  let controller = null;

  async function load(page) {
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    const query = { ...state.filter, limit: state.limit, cursor: cursors[page] };
    loading(table, 'terminals');
    try {
      const [list, counts] = await Promise.all([
        api('terminals', { query, signal }),
        page === 0 ? api('fleet/decisions', { query: state.filter, signal }) : null,
      ]);
      const ids = list.items.map((t) => t.id);
      const feedback = ids.length
        ? await api('fleet/feedback', { query: { terminals: ids.join(',') }, signal }) : { items: [] };
      if (!alive) return;
      done(table);
      const latest = new Map(feedback.items.map((f) => [f.terminal, f]));
      if (counts) {
        put(chart, counts.items.length === 0 ? h('p', { class: 'empty' }, 'No assigned image matches.')
          : barChart('decision-chart', counts.items.map((c) => ({
            label: c.strategy ? c.strategy + ' · ' + c.reason : 'not reported yet',
            value: c.assignments, kind: c.strategy ? 's-' + c.strategy.toLowerCase() : 's-none' })),
          'Assignments per strategy and reason'));
      }
      put(table, list.items.length === 0
        ? h('p', { class: 'empty', id: 'no-terminals' }, 'No terminal matches.')
        : h('div', { class: 'scroll' }, h('table', { id: 'terminal-table' },
          h('thead', null, h('tr', null, ['Name', 'Group', 'Images: strategy · reason', 'Last seen',
            'Last feedback'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, list.items.map((t) => h('tr', { 'data-id': t.id },
            h('td', { 'data-field': 'name' }, h('a', { href: '#/terminals/' + t.id }, t.name)),
            h('td', { 'data-field': 'group' }, t.group),
            h('td', { 'data-field': 'images' }, t.images.length === 0 ? h('span', { class: 'muted' }, 'none')
              : h('ul', { class: 'plain' }, t.images.map((i) => h('li', null, i.image, ': ',
                i.strategy ? h('span', { class: 'answer s-' + i.strategy.toLowerCase() },
                  i.strategy + ' · ' + i.reason) : h('span', { class: 'muted' }, 'not reported'))))),
            h('td', null, when(t.lastSeen)),
            h('td', null, feedbackCell(latest.get(t.id)))))))));
      const prev = h('button', { type: 'button', id: 'page-prev', disabled: page === 0 }, '‹ Previous');
      const next = h('button', { type: 'button', id: 'page-next', disabled: !list.next }, 'Next ›');
      prev.addEventListener('click', () => load(page - 1));
      next.addEventListener('click', () => {
        cursors = cursors.slice(0, page + 1);
        cursors.push(list.next);
        load(page + 1);
      });
      put(pager, prev, h('span', { id: 'page-number' }, 'Page ' + (page + 1)), next);
    } catch (error) {
      if (error.name !== 'AbortError' && alive) {
        done(table);
        put(table, problemBox(error));
      }
    }
  }

  Promise.all([api('groups'), api('images', { query: { limit: 1000 } })]).then(([groups, images]) => {
    if (!alive) return;
    const limit = h('select', { id: 'filter-limit' }, [20, 50, 100].map((n) => h('option', { value: n }, n)));
    limit.value = String(state.limit);
    put(filters,
      select('filter-group', 'Group', groups.items.map((g) => g.name), state.filter.group),
      select('filter-image', 'Image', images.items.map((i) => i.name), state.filter.image),
      select('filter-strategy', 'Strategy', STRATEGIES, state.filter.strategy),
      select('filter-reason', 'Reason', REASONS, state.filter.reason),
      h('label', { for: 'filter-limit' }, 'Per page'), limit);
    filters.addEventListener('change', () => {
      state.filter = {
        group: filters.elements['filter-group'].value,
        image: filters.elements['filter-image'].value,
        strategy: filters.elements['filter-strategy'].value,
        reason: filters.elements['filter-reason'].value,
      };
      state.limit = Number(limit.value);
      cursors = [null];
      load(0);
    });
    filters.addEventListener('submit', (event) => event.preventDefault());
    put(register, registerForm(groups.items, () => load(0)));
  }).catch((error) => put(filters, problemBox(error)));
  load(0);
  return () => {
    alive = false;
    if (controller) controller.abort();
  };
}
