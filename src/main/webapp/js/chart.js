// Counts as horizontal bars (SVG), one per strategy and reason.
import { s } from './dom.js';

export function barChart(id, rows, title) {
  const line = 26;
  const labelW = 230;
  const barW = 220;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const svg = s('svg', { id, class: 'chart', viewBox: `0 0 ${labelW + barW + 60} ${Math.max(1, rows.length) * line + 6}`,
    role: 'img', 'aria-label': title + ': ' + (rows.length ? rows.map((r) => r.label + ' ' + r.value).join(', ') : 'none') });
  svg.append(s('title', null, title));
  rows.forEach((row, i) => {
    const y = 4 + i * line;
    const g = s('g', { class: 'bar ' + (row.kind || ''), 'data-label': row.label, 'data-value': row.value });
    g.append(s('text', { x: labelW - 8, y: y + 15, 'text-anchor': 'end' }, row.label));
    g.append(s('rect', { x: labelW, y: y + 3, height: 16, width: Math.max(2, (row.value / max) * barW) }));
    g.append(s('text', { x: labelW + Math.max(2, (row.value / max) * barW) + 6, y: y + 15, class: 'value' },
      String(row.value)));
    svg.append(g);
  });
  return svg;
}
