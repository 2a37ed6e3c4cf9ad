// An image's lineage as a picture: one box per layer ever published, base first, each pointing at
// the layer below it; retired and quarantined layers look different; released tips are marked.
import { s, bytes, short } from './dom.js';

const BOX_W = 360;
const BOX_H = 84;
const GAP = 26;
const MARK_W = 150;

function label(layer) {
  return 'depth ' + layer.depth + ', version ' + layer.version + ', ' + layer.state + ', '
    + bytes(layer.size) + ', checksum ' + short(layer.checksum);
}

/** waves: [{wave, releasedTip: {checksum}}] or null. */
export function lineageSvg(image, waves) {
  const layers = image.layers || [];
  const height = layers.length * (BOX_H + GAP) + 10;
  const width = BOX_W + MARK_W + 20;
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${Math.max(height, 40)}`, class: 'lineage', role: 'img',
    'aria-label': 'Lineage of ' + image.name + ': ' + layers.length + ' layers',
    'data-image': image.name,
  });
  svg.append(s('title', null, 'Lineage of ' + image.name));
  const marks = new Map();
  for (const wave of waves || []) {
    if (!wave.releasedTip) continue;
    const list = marks.get(wave.releasedTip.checksum) || [];
    list.push(wave.wave);
    marks.set(wave.releasedTip.checksum, list);
  }
  layers.forEach((layer, i) => {
    const y = 5 + i * (BOX_H + GAP);
    const state = String(layer.state).toLowerCase();
    const isTip = image.tip && image.tip.checksum === layer.checksum;
    const g = s('g', {
      class: 'layer state-' + state + (isTip ? ' tip' : ''),
      'data-depth': layer.depth, 'data-state': layer.state, 'data-checksum': layer.checksum,
      transform: `translate(10 ${y})`, tabindex: 0, role: 'img', 'aria-label': label(layer),
    });
    g.append(s('title', null, label(layer)));
    g.append(s('rect', { class: 'box', x: 0, y: 0, width: BOX_W, height: BOX_H, rx: 6 }));
    if (state === 'quarantined') {
      g.append(s('rect', { class: 'hatch', x: 0, y: 0, width: BOX_W, height: BOX_H, rx: 6 }));
    }
    g.append(s('text', { x: 12, y: 22, class: 'l1' },
      (layer.depth === 0 ? 'base' : 'diff') + ' · depth ' + layer.depth + ' · v' + layer.version));
    g.append(s('text', { x: BOX_W - 12, y: 22, class: 'state', 'text-anchor': 'end' },
      layer.state + (isTip ? ' · tip' : '')));
    g.append(s('text', { x: 12, y: 44, class: 'mono' }, short(layer.checksum) + '…'));
    g.append(s('text', { x: BOX_W - 12, y: 44, 'text-anchor': 'end' }, bytes(layer.size)));
    g.append(s('text', { x: 12, y: 66, class: 'small' },
      new Date(layer.publishedAt).toLocaleString()));
    g.append(s('text', { x: BOX_W - 12, y: 66, class: 'small mono', 'text-anchor': 'end' },
      layer.fileName.length > 34 ? layer.fileName.slice(0, 33) + '…' : layer.fileName));
    svg.append(g);
    if (i > 0) {
      svg.append(s('line', { class: 'backing', x1: 10 + BOX_W / 2, x2: 10 + BOX_W / 2,
        y1: y, y2: y - GAP + 2, 'marker-end': 'url(#arrow)' }));
    }
    const waveMarks = marks.get(layer.checksum);
    if (waveMarks) {
      const text = 'released to wave ' + waveMarks.join(', ');
      const mark = s('g', { class: 'released', 'data-waves': waveMarks.join(','),
        transform: `translate(${BOX_W + 18} ${y + BOX_H / 2 - 12})` });
      mark.append(s('rect', { x: 0, y: 0, width: MARK_W - 10, height: 24, rx: 12 }));
      mark.append(s('text', { x: (MARK_W - 10) / 2, y: 16, 'text-anchor': 'middle' }, text));
      svg.append(mark);
    }
  });
  const defs = s('defs', null,
    s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 5, refY: 5, markerWidth: 6,
      markerHeight: 6, orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z',
      class: 'arrowhead' })),
    s('pattern', { id: 'hatch', width: 8, height: 8, patternUnits: 'userSpaceOnUse',
      patternTransform: 'rotate(45)' }, s('rect', { width: 3, height: 8, class: 'hatch-line' })));
  svg.prepend(defs);
  return svg;
}
