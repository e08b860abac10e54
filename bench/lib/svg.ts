/**
 * Charts for the reports as SVG text: a line chart (latency distributions, fan-out latency,
 * throughput over time, cost against uploads) and a horizontal bar chart. Plain strings, no
 * browser and no chart library: the output is deterministic for the same input, so a chart
 * changes in a diff only when its figures do, and tests can read it.
 */

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Series {
  readonly name: string;
  readonly points: readonly Point[];
}

export interface Tick {
  readonly value: number;
  readonly label: string;
}

export interface LineChartInput {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Ticks on the x axis; computed from the data when omitted. */
  readonly xTicks?: readonly Tick[];
  /** Plot y on a log10 scale (latency tails); values <= 0 are left out. */
  readonly logY?: boolean;
  /** Where x = value sits on a log-like categorical axis: a mapping applied before scaling. */
  readonly xTransform?: (x: number) => number;
  readonly width?: number;
  readonly height?: number;
}

export interface Bar {
  readonly name: string;
  readonly value: number;
}

export interface BarChartInput {
  readonly title: string;
  /** The unit of the values, printed after each bar's value. */
  readonly unit: string;
  readonly groups: readonly { readonly label: string; readonly bars: readonly Bar[] }[];
  readonly width?: number;
}

/** Colour-blind-safe (Okabe-Ito), in the order series are given. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'] as const;

const MARGIN = { top: 40, right: 20, bottom: 50, left: 70 } as const;
const LEGEND_WIDTH = 250;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A number as short text for a tick: 1,200 -> "1.2k", 0.25 -> "0.25". */
export function shortNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e3) return `${trim(n / 1e3)}k`;
  return trim(n);
}

const trim = (n: number) => String(Number(n.toPrecision(3)));

/** About `count` round tick values spanning [min, max] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max === min) return [min];
  const rough = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks[ticks.length - 1] ?? max) < max) ticks.push(Number((first + ticks.length * step).toPrecision(12)));
  return ticks;
}

/** Powers of ten covering [min, max] (min > 0), for a log axis. */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e += 1) ticks.push(10 ** e);
  return ticks;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function frame(width: number, height: number, title: string, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

export function lineChart(input: LineChartInput): string {
  const width = input.width ?? 880;
  const height = input.height ?? 360;
  const tx = input.xTransform ?? ((x: number) => x);
  const ty = input.logY ? (y: number) => Math.log10(y) : (y: number) => y;
  const keep = (p: Point) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!input.logY || p.y > 0);
  const points = input.series.flatMap((s) => s.points.filter(keep));
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const xTickValues = input.xTicks ?? niceTicks(Math.min(...xs), Math.max(...xs)).map((value) => ({ value, label: shortNumber(value) }));
  const yTickValues = input.logY ? logTicks(Math.min(...ys), Math.max(...ys)) : niceTicks(Math.min(0, ...ys), Math.max(...ys));
  const xDomain = [Math.min(...xs, ...xTickValues.map((t) => t.value)), Math.max(...xs, ...xTickValues.map((t) => t.value))].map(tx) as [number, number];
  const yDomain = [Math.min(...yTickValues), Math.max(...yTickValues)].map(ty) as [number, number];
  const plotW = width - MARGIN.left - MARGIN.right - LEGEND_WIDTH; // room for the legend on the right
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + (xDomain[1] === xDomain[0] ? plotW / 2 : ((tx(x) - xDomain[0]) / (xDomain[1] - xDomain[0])) * plotW);
  const sy = (y: number) => MARGIN.top + plotH - (yDomain[1] === yDomain[0] ? plotH / 2 : ((ty(y) - yDomain[0]) / (yDomain[1] - yDomain[0])) * plotH);
  const body: string[] = [];
  if (points.length === 0) {
    body.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text>`);
    return frame(width, height, input.title, body);
  }
  for (const t of yTickValues) {
    const y = fmt(sy(t));
    body.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#dddddd"/>`);
    body.push(`<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(shortNumber(t))}</text>`);
  }
  for (const t of xTickValues) {
    const x = fmt(sx(t.value));
    body.push(`<line x1="${x}" y1="${MARGIN.top + plotH}" x2="${x}" y2="${MARGIN.top + plotH + 4}" stroke="#333333"/>`);
    body.push(`<text x="${x}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${escapeXml(t.label)}</text>`);
  }
  body.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${MARGIN.left + plotW}" y2="${MARGIN.top + plotH}" stroke="#333333"/>`);
  body.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}" stroke="#333333"/>`);
  body.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(input.xLabel)}</text>`);
  body.push(
    `<text x="16" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${MARGIN.top + plotH / 2})">${escapeXml(input.yLabel)}${input.logY ? ' (log scale)' : ''}</text>`,
  );
  input.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const kept = s.points.filter(keep);
    if (kept.length > 0) {
      const d = kept.map((p, j) => `${j === 0 ? 'M' : 'L'}${fmt(sx(p.x))},${fmt(sy(p.y))}`).join(' ');
      body.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"><title>${escapeXml(s.name)}</title></path>`);
      for (const p of kept.length <= 12 ? kept : []) body.push(`<circle cx="${fmt(sx(p.x))}" cy="${fmt(sy(p.y))}" r="3" fill="${colour}"/>`);
    }
    const ly = MARGIN.top + 10 + i * 18;
    const lx = MARGIN.left + plotW + 15;
    body.push(`<rect x="${lx}" y="${ly - 6}" width="12" height="12" fill="${colour}"/>`);
    body.push(`<text x="${lx + 18}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  return frame(width, height, input.title, body);
}

/** Room for the bars' names, left of the bars. */
export const BAR_LABEL_WIDTH = 380;
const BAR_VALUE_ROOM = 110;

export function barChart(input: BarChartInput): string {
  const width = input.width ?? 900;
  const barH = 16;
  const groupLabelH = 20;
  const gap = 10;
  const labelW = BAR_LABEL_WIDTH;
  const rows = input.groups.reduce((n, g) => n + g.bars.length, 0);
  const height = MARGIN.top + rows * (barH + 2) + input.groups.length * (gap + groupLabelH) + 10;
  const values = input.groups.flatMap((g) => g.bars.map((b) => b.value)).filter(Number.isFinite);
  const top = Math.max(0, ...values);
  const plotW = width - labelW - BAR_VALUE_ROOM;
  const body: string[] = [];
  let y = MARGIN.top;
  const names = [...new Set(input.groups.flatMap((g) => g.bars.map((b) => b.name)))];
  for (const group of input.groups) {
    // The group's name on a line of its own, above its bars.
    body.push(`<text x="6" y="${y + groupLabelH / 2}" dominant-baseline="middle" font-weight="bold">${escapeXml(group.label)}</text>`);
    y += groupLabelH;
    for (const bar of group.bars) {
      const colour = PALETTE[names.indexOf(bar.name) % PALETTE.length];
      const w = top > 0 && Number.isFinite(bar.value) ? (Math.max(0, bar.value) / top) * plotW : 0;
      body.push(`<text x="${labelW - 6}" y="${y + barH / 2}" text-anchor="end" dominant-baseline="middle">${escapeXml(bar.name)}</text>`);
      body.push(`<rect x="${labelW}" y="${y}" width="${fmt(w)}" height="${barH}" fill="${colour}"><title>${escapeXml(`${bar.name}: ${bar.value} ${input.unit}`)}</title></rect>`);
      body.push(`<text x="${fmt(labelW + w + 6)}" y="${y + barH / 2}" dominant-baseline="middle">${escapeXml(`${shortNumber(bar.value)} ${input.unit}`)}</text>`);
      y += barH + 2;
    }
    y += gap;
  }
  return frame(width, height, input.title, body);
}
