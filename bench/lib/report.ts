/** What each section hands back, and the Markdown/console rendering of the one summary table. */

export interface Comparison {
  readonly measure: string;
  /** Our figure, formatted. */
  readonly ours: string;
  /** What it is compared with, formatted, naming the reference. */
  readonly reference: string;
  /** ours / reference in the sense of the target (see `target`), when both exist. */
  readonly ratio: number | undefined;
  /** The target, e.g. ">= 5x" or "<= 5 ms". */
  readonly target: string;
  /** undefined: not measurable in this run (n/a). */
  readonly met: boolean | undefined;
}

export interface SectionReport {
  readonly name: string;
  readonly title: string;
  readonly comparisons: readonly Comparison[];
  /** Detail tables and notes, Markdown. */
  readonly details: string;
  /** Measured explanations of other sections' figures, by section name (Markdown). */
  readonly evidence?: ReadonlyMap<string, string>;
  /** SVG charts; run.ts writes them beside the report, and `details` links them with chartLink. */
  readonly charts?: readonly Chart[];
  /** The section's measured quantities as plain data, for the run's JSON (what `npm run cost` reads). */
  readonly figures?: unknown;
}

export interface Chart {
  /** File name, e.g. `http-latency-wrk.svg`. */
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

/** The Markdown image of a chart, relative to the report (charts/ beside it). */
export const chartLink = (chart: Chart): string => `![${chart.title}](charts/${chart.file})`;

export const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
export const fmtMs = (n: number) => (Number.isFinite(n) ? (n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n.toFixed(2)) : 'n/a');
export const fmtRatio = (r: number | undefined) => (r === undefined || !Number.isFinite(r) ? 'n/a' : r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`);
export const fmtKiB = (kib: number) => (Number.isFinite(kib) ? (kib >= 1024 ? `${(kib / 1024).toFixed(1)} MiB` : `${Math.round(kib)} KiB`) : 'n/a');
export const fmtBytes = (bytes: number) => (bytes < 1024 ? `${Math.round(bytes)} B` : fmtKiB(bytes / 1024));

export const verdict = (met: boolean | undefined) => (met === undefined ? 'n/a' : met ? 'yes' : '**no**');

/** A Markdown table; cells are escaped for `|`. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function summaryTable(sections: readonly SectionReport[]): string {
  const rows = sections.flatMap((s) =>
    s.comparisons.map((c) => [s.title, c.measure, c.ours, c.reference, fmtRatio(c.ratio), c.target, verdict(c.met)]),
  );
  return markdownTable(['section', 'measure', 'ours', 'reference', 'ratio', 'target', 'met'], rows);
}

/** The same table for a terminal: aligned columns, no Markdown emphasis. */
export function consoleTable(sections: readonly SectionReport[]): string {
  const rows = [
    ['section', 'measure', 'ours', 'reference', 'ratio', 'target', 'met'],
    ...sections.flatMap((s) =>
      s.comparisons.map((c) => [s.title, c.measure, c.ours, c.reference, fmtRatio(c.ratio), c.target, verdict(c.met).replace(/\*/g, '')]),
    ),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}
