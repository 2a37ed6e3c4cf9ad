// Images: the list, one image's lineage as a picture, uploads with progress and cancel, retiring
// the tip, the policy, and the image's rollout plan.
import { api, upload } from '../api.js';
import { h, put, bytes, short, when, loading, done, problemBox, confirmDialog } from '../dom.js';
import { backingName } from '../qcow2.js';
import { lineageSvg } from '../lineage.js';

let current = null; // the upload in flight, if any: {abort}
let lastResult = null; // what the last upload came to, shown again after the page is redrawn

function uploadForm(kind, image, tipLayer, after) {
  const id = (x) => 'upload-' + x;
  const file = h('input', { id: id('file'), type: 'file', required: true });
  const name = kind === 'image'
    ? h('input', { id: id('name'), required: true, pattern: '[A-Za-z0-9_\\-][A-Za-z0-9._\\-]{0,127}',
      spellcheck: 'false' }) : null;
  const version = h('input', { id: id('version'), type: 'number', min: 1, required: kind === 'image',
    inputmode: 'numeric' });
  const note = h('input', { id: id('note'), maxlength: 1000 });
  const kindSelect = kind === 'image' ? null : h('select', { id: id('kind') },
    h('option', { value: 'diff' }, 'a diff on the tip'),
    h('option', { value: 'base' }, 'a new base (retires every layer)'));
  const progress = h('progress', { id: id('progress'), max: 100, value: 0, hidden: true });
  const status = h('p', { id: id('status'), class: 'status', 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', id: id('send') }, 'Upload');
  const cancel = h('button', { type: 'button', id: id('cancel'), disabled: true }, 'Cancel upload');
  const form = h('form', { class: 'upload', id: 'upload-form', 'data-kind': kind },
    h('h3', null, kind === 'image' ? 'Publish a new image' : 'Publish on ' + image.name),
    kindSelect ? [h('label', { for: id('kind') }, 'Publish'), kindSelect] : null,
    name ? [h('label', { for: id('name') }, 'Image name'), name] : null,
    h('label', { for: id('file') }, 'qcow2 file'), file,
    h('label', { for: id('version') }, kind === 'image' ? 'Version' : 'Version (optional)'), version,
    h('label', { for: id('note') }, 'Note (optional)'), note,
    h('div', { class: 'actions' }, send, cancel), progress, status);

  if (lastResult) {
    status.textContent = lastResult.text;
    status.dataset.result = lastResult.result;
    lastResult = null;
  }
  cancel.addEventListener('click', () => {
    if (current) current.abort();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    put(status);
    const what = kindSelect ? kindSelect.value : 'image';
    let path;
    const query = { version: version.value || undefined, note: note.value || undefined };
    if (what === 'image') {
      path = 'images';
      query.name = name.value;
    } else if (what === 'base') {
      path = 'images/' + encodeURIComponent(image.name) + '/base';
    } else {
      path = 'images/' + encodeURIComponent(image.name) + '/layers';
      if (!tipLayer) {
        put(status, problemBox({ title: 'No tip to build on', detail: 'publish a new base first' }));
        return;
      }
      let backing;
      try {
        backing = await backingName(chosen);
      } catch (error) {
        put(status, problemBox({ title: 'Not sent: the file is not a diff this console can read',
          detail: error.message }));
        return;
      }
      if (backing !== tipLayer.fileName) {
        put(status, h('div', { class: 'problem', role: 'alert', id: 'backing-refused' },
          h('strong', { class: 'problem-title' }, 'Not sent: the diff is not built on the tip'),
          h('span', { class: 'problem-detail' }, ' Its backing file is ',
            h('code', { 'data-field': 'backing' }, backing === null ? '(none)' : backing),
            ', the tip is ', h('code', { 'data-field': 'tip' }, tipLayer.fileName), '.')));
        return;
      }
      query.parent = tipLayer.checksum;
    }
    progress.hidden = false;
    progress.value = 0;
    progress.max = chosen.size || 1;
    send.disabled = true;
    cancel.disabled = false;
    status.textContent = 'Sending ' + bytes(chosen.size) + ' …';
    current = upload(path, query, chosen, (sent, total) => {
      progress.max = total;
      progress.value = sent;
      status.textContent = 'Sent ' + bytes(sent) + ' of ' + bytes(total)
        + (sent === total ? '; the server checks and stamps it …' : '');
    });
    try {
      const published = await current.promise;
      progress.value = progress.max;
      status.textContent = 'Published ' + (published.name ? 'image ' + published.name
        : 'depth ' + published.depth + ', version ' + published.version) + '.';
      status.dataset.result = 'published';
      lastResult = { text: status.textContent, result: 'published' };
      after(what === 'image' ? query.name : null);
    } catch (error) {
      status.dataset.result = error.status === 0 && error.title === 'Upload cancelled'
        ? 'cancelled' : 'refused';
      put(status, problemBox(error));
    } finally {
      current = null;
      send.disabled = false;
      cancel.disabled = true;
    }
  });
  return form;
}

function policyForm(image, after) {
  const policy = h('select', { id: 'policy' },
    h('option', { value: 'patent' }, 'patent (the default)'),
    h('option', { value: 'catch-up' }, 'catch-up'));
  policy.value = image.policy;
  const max = h('input', { id: 'max-incremental', type: 'number', min: 1, max: 4096,
    value: image.maxIncrementalLayers });
  const status = h('p', { class: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'inline-form', id: 'policy-form' },
    h('h3', null, 'Policy'),
    h('label', { for: 'policy' }, 'Policy'), policy,
    h('label', { for: 'max-incremental' }, 'Most diffs fetched incrementally (catch-up)'), max,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save policy')), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('images/' + encodeURIComponent(image.name) + '/policy', { method: 'PUT',
        body: { policy: policy.value, maxIncrementalLayers: Number(max.value) } });
      after();
    } catch (error) {
      put(status, problemBox(error));
    }
  });
  return form;
}

function rolloutSection(image, rollout, after) {
  const path = 'images/' + encodeURIComponent(image.name) + '/rollout';
  const status = h('p', { class: 'status', 'aria-live': 'polite' });
  const act = (method, suffix) => async () => {
    try {
      if (method === 'DELETE' && !(await confirmDialog(
        'Remove the rollout plan of ' + image.name + '? Every terminal is judged against the tip again.',
        'Remove plan'))) return;
      await api(path + suffix, { method });
      after();
    } catch (error) {
      put(status, problemBox(error));
    }
  };
  const explicit = rollout ? rollout.waves.filter((w) => !w.implicit) : [];
  const waves = h('textarea', { id: 'rollout-waves', rows: 3, spellcheck: 'false' },
    explicit.map((w) => w.groups.join(', ')).join('\n'));
  const success = h('input', { id: 'rollout-success', type: 'number', min: 0, max: 1, step: 0.01,
    value: rollout ? rollout.successThreshold : 0.9 });
  const errorT = h('input', { id: 'rollout-error', type: 'number', min: 0, max: 1, step: 0.01,
    value: rollout ? rollout.errorThreshold : 0.1 });
  const auto = h('input', { id: 'rollout-auto', type: 'checkbox', checked: rollout ? rollout.autoAdvance : true });
  const form = h('form', { id: 'rollout-form', class: 'inline-form' },
    h('label', { for: 'rollout-waves' }, 'Waves: one per line, groups separated by commas; "*" in the last line for every other group'),
    waves,
    h('label', { for: 'rollout-success' }, 'Success threshold'), success,
    h('label', { for: 'rollout-error' }, 'Error threshold'), errorT,
    h('label', { class: 'check' }, auto, ' Advance by itself'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, rollout ? 'Save plan' : 'Set plan')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const plan = waves.value.split('\n').map((line) => line.split(',').map((g) => g.trim())
      .filter(Boolean)).filter((line) => line.length);
    try {
      await api(path, { method: 'PUT', body: { waves: plan, successThreshold: Number(success.value),
        errorThreshold: Number(errorT.value), autoAdvance: auto.checked } });
      after();
    } catch (error) {
      put(status, problemBox(error));
    }
  });
  return h('section', { class: 'card', id: 'rollout' },
    h('h2', null, 'Rollout'),
    rollout ? [
      h('p', null, 'State: ', h('strong', { id: 'rollout-state' }, rollout.state),
        ' · success ', String(rollout.successThreshold), ' · error ', String(rollout.errorThreshold),
        rollout.autoAdvance ? ' · advances by itself' : ' · advanced by hand'),
      h('div', { class: 'scroll' }, h('table', { id: 'waves' },
        h('thead', null, h('tr', null, ['Wave', 'Groups', 'Released tip', 'Terminals', 'Up to date',
          'Failed', 'Complete'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, rollout.waves.map((w) => h('tr', { 'data-wave': w.wave },
          h('td', { 'data-field': 'wave' }, w.wave),
          h('td', { 'data-field': 'groups' }, w.groups.join(', ') + (w.implicit ? ' (implicit)' : '')),
          h('td', { 'data-field': 'releasedTip', 'data-checksum': w.releasedTip ? w.releasedTip.checksum : null },
            w.releasedTip ? 'depth ' + w.releasedTip.depth + ' v' + w.releasedTip.version
              + ' ' + short(w.releasedTip.checksum) : '–'),
          h('td', { 'data-field': 'terminals' }, w.terminals),
          h('td', { 'data-field': 'upToDate' }, w.upToDate),
          h('td', { 'data-field': 'failed' }, w.failed),
          h('td', { 'data-field': 'complete' }, w.complete ? 'yes' : 'no')))))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'rollout-advance', onclick: act('POST', '/advance') }, 'Advance next wave'),
        h('button', { type: 'button', id: 'rollout-halt', onclick: act('POST', '/halt') }, 'Halt'),
        h('button', { type: 'button', id: 'rollout-remove', class: 'danger', onclick: act('DELETE', '') }, 'Remove plan')),
    ] : h('p', { class: 'empty' }, 'No rollout plan: every terminal is judged against the tip.'),
    h('details', { open: !rollout }, h('summary', null, rollout ? 'Edit the plan' : 'Set a plan'), form),
    status);
}

async function showImage(detail, name, hasPlan, refresh) {
  const path = 'images/' + encodeURIComponent(name);
  loading(detail, name);
  const [image, rollout] = await Promise.all([api(path),
    hasPlan ? api(path + '/rollout') : Promise.resolve(null)]);
  done(detail);
  const tipLayer = image.tip ? image.layers.find((l) => l.checksum === image.tip.checksum) : null;
  const status = h('p', { class: 'status', 'aria-live': 'polite' });
  const retire = h('button', { type: 'button', class: 'danger', id: 'retire-tip',
    disabled: !tipLayer || tipLayer.depth === 0 }, 'Retire the tip');
  retire.addEventListener('click', async () => {
    if (!(await confirmDialog('Retire the tip of ' + name + ' (depth ' + tipLayer.depth + ', version '
      + tipLayer.version + ')? Terminals holding it drop it.', 'Retire tip'))) return;
    try {
      await api(path + '/layers/' + tipLayer.depth, { method: 'DELETE' });
      refresh();
    } catch (error) {
      put(status, problemBox(error));
    }
  });
  put(detail,
    h('h2', { id: 'image-name' }, image.name),
    h('p', null, 'Policy ', h('strong', null, image.policy), ' · tip ',
      tipLayer ? 'depth ' + tipLayer.depth + ', version ' + tipLayer.version + ', '
        : 'none', tipLayer ? h('code', null, tipLayer.fileName) : null),
    h('div', { class: 'lineage-wrap' }, lineageSvg(image, rollout ? rollout.waves : null)),
    h('ul', { class: 'legend' }, h('li', { class: 'key-published' }, 'published'),
      h('li', { class: 'key-quarantined' }, 'quarantined (hatched)'),
      h('li', { class: 'key-retired' }, 'retired (dashed)'),
      rollout ? h('li', { class: 'key-released' }, 'released tip of a wave') : null),
    h('div', { class: 'actions' }, retire), status,
    h('div', { class: 'columns' },
      h('section', { class: 'card' }, uploadForm('layer', image, tipLayer, () => refresh())),
      h('section', { class: 'card' }, policyForm(image, refresh))),
    rolloutSection(image, rollout, refresh));
}

export function render(root, name) {
  const list = h('nav', { class: 'image-list', 'aria-label': 'Images' });
  const detail = h('div', { class: 'image-detail' });
  put(root, h('h1', null, 'Images'), h('div', { class: 'split' }, list, detail));
  let alive = true;
  const refresh = async (select) => {
    if (!alive) return;
    if (select && select !== name) {
      location.hash = '#/images/' + encodeURIComponent(select);
      return;
    }
    loading(list, 'images');
    try {
      const fleet = await api('fleet');
      if (!alive) return;
      done(list);
      put(list, fleet.images.length === 0 ? h('p', { class: 'empty' }, 'No images yet.')
        : h('ul', null, fleet.images.map((i) => h('li', null, h('a', {
          href: '#/images/' + encodeURIComponent(i.image),
          'aria-current': i.image === name ? 'page' : null }, i.image),
        i.rolloutPlan ? h('span', { class: 'badge' }, 'rollout') : null))));
      if (name && fleet.images.some((i) => i.image === name)) {
        await showImage(detail, name, fleet.images.find((i) => i.image === name).rolloutPlan,
          () => refresh());
      } else if (name) {
        put(detail, problemBox({ title: 'Not found', detail: 'no image named ' + name }));
      } else {
        put(detail, h('section', { class: 'card' }, uploadForm('image', null, null, refresh)));
      }
    } catch (error) {
      if (alive) put(detail, problemBox(error));
    }
  };
  refresh();
  return () => {
    alive = false;
    if (current) current.abort();
  };
}
