/**
 * Horizontal bar charts drawn by the server as inline SVG (no script, no external file): one bar per value with
 * its count. Colours come from presentation attributes, which a strict CSP allows (unlike style attributes).
 */
import { esc } from './escape';

const WIDTH = 420;
const LABEL_WIDTH = 120;
const ROW = 22;
const MAX_BARS = 24;

export function barChart(
  title: string,
  rows: readonly (readonly [string, number])[],
  id: string,
): string {
  const shown = rows.slice(0, MAX_BARS);
  const rest = rows.slice(MAX_BARS).reduce((n, [, c]) => n + c, 0);
  const bars: (readonly [string, number])[] =
    rest > 0 ? [...shown, [`${rows.length - MAX_BARS} more`, rest]] : [...shown];
  const max = Math.max(1, ...bars.map(([, c]) => c));
  const span = WIDTH - LABEL_WIDTH - 60;
  const height = Math.max(1, bars.length) * ROW + 8;
  const body = bars
    .map(([label, count], i) => {
      const y = i * ROW + 4;
      const w = Math.max(2, Math.round((count / max) * span));
      return [
        `<g class="bar" data-label="${esc(label)}" data-count="${count}">`,
        `<text x="${LABEL_WIDTH - 6}" y="${y + 14}" text-anchor="end" font-size="12" fill="#333">${esc(truncate(label))}</text>`,
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${w}" height="${ROW - 6}" fill="#3b6ea8"><title>${esc(label)}: ${count}</title></rect>`,
        `<text x="${LABEL_WIDTH + w + 6}" y="${y + 14}" font-size="12" fill="#333">${count}</text>`,
        '</g>',
      ].join('');
    })
    .join('');
  return (
    `<figure class="chart" id="${esc(id)}"><figcaption>${esc(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">${body}</svg></figure>`
  );
}

function truncate(s: string): string {
  return s.length > 18 ? `${s.slice(0, 17)}…` : s;
}
