/** docs/cost.md from a bill: the tables and the chart, in the words of bench/templates/cost.md. */
import { seriesChart } from '../lib/charts.js';
import type { Chart } from '../lib/report.js';
import { markdownTable } from '../lib/report.js';
import { renderTemplate } from '../lib/template.js';
import type { UsageFigures } from '../sections/usage.js';
import { type Line, type Workload, PLATFORM_LOG_BYTES, bill, lambdaUsage } from './model.js';
import { PRICES } from './prices.js';

export const usd = (n: number): string => (n >= 100 ? `$${Math.round(n).toLocaleString('en-US')}` : n >= 1 ? `$${n.toFixed(2)}` : n === 0 ? '$0' : `$${n.toFixed(4)}`);
const qty = (n: number): string => (Number.isInteger(n) || n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 1 ? n.toFixed(2) : n.toPrecision(3));

/** Monthly uploads the chart spans: the workload's, and a range around it. */
export const UPLOAD_STEPS = [0, 25_000, 50_000, 100_000, 200_000, 500_000, 1_000_000] as const;

export function costChart(usage: UsageFigures, w: Workload, file = 'cost-vs-uploads.svg'): Chart {
  const points = UPLOAD_STEPS.map((uploads) => ({ uploads, ...bill(usage, usage.facts, { ...w, uploads }) }));
  return seriesChart(file, 'Monthly AWS bill against monthly uploads (the rest of the workload fixed)', 'uploads per month', 'USD per month', [
    { name: 'before free tiers', points: points.map((p) => ({ x: p.uploads, y: p.total })) },
    { name: 'after always-free tiers', points: points.map((p) => ({ x: p.uploads, y: p.totalAfterFree })) },
  ]);
}

export interface CostDocumentInput {
  readonly usage: UsageFigures;
  readonly workload: Workload;
  readonly commit: string;
  readonly benchDate: string;
  readonly quick: boolean;
  readonly chartPath: string;
  readonly benchFile: string;
}

export function costDocument(input: CostDocumentInput): string {
  const { usage, workload: w } = input;
  const { lines, total, totalAfterFree } = bill(usage, usage.facts, w);
  const sorted = [...lines].sort((a, b) => b.usd - a.usd);
  const lineRows = sorted.map((l: Line) => [l.service, l.item, qty(l.quantity), l.unit, usd(l.usd), usd(l.usdAfterFree), l.basis]);
  const fns = lambdaUsage(usage, usage.facts, w);
  return renderTemplate('cost', {
    mode: input.quick
      ? '**From a quick bench run** (`--quick`, a busy machine): the counts (invocations, capacity units, calls, events) hold, the durations are inflated; run `npm run bench -- --only usage` on a quiet machine and then `npm run cost` for the figures to quote.'
      : 'From a full bench run.',
    commit: input.commit.slice(0, 12),
    benchDate: input.benchDate.slice(0, 10),
    benchFile: input.benchFile,
    users: w.users.toLocaleString('en-US'),
    uploads: w.uploads.toLocaleString('en-US'),
    apiCalls: w.apiCalls.toLocaleString('en-US'),
    fileShare: Math.round(w.queryMix.file * 100),
    filesShare: Math.round(w.queryMix.files * 100),
    orders: w.orders.toLocaleString('en-US'),
    subscribers: w.subscribers.toLocaleString('en-US'),
    hours: w.subscriberHoursPerDay,
    days: w.days,
    total: usd(total),
    totalAfterFree: usd(totalAfterFree),
    perThousandUploads: usd(w.uploads > 0 ? ((total - bill(usage, usage.facts, { ...w, uploads: 0 }).total) / w.uploads) * 1_000 : 0),
    lines: markdownTable(['service', 'what', 'quantity', 'unit', 'USD', 'USD after always-free tiers', 'from'], [...lineRows, ['**total**', '', '', '', `**${usd(total)}**`, `**${usd(totalAfterFree)}**`, '']]),
    functions: markdownTable(
      ['function', 'architecture', 'invocations', 'GB-seconds', 'log MB'],
      fns.map((f) => [f.name, f.architecture, qty(f.invocations), qty(f.gbSeconds), qty(f.logBytes / 1024 ** 2)]),
    ),
    platformLogBytes: PLATFORM_LOG_BYTES,
    prices: markdownTable(['service', 'what', 'USD', 'per', 'free each month', 'page', 'as of'], Object.values(PRICES).map((p) => [p.service, p.item, String(p.usd), p.unit, p.free > 0 ? p.free.toLocaleString('en-US') : '-', p.page, p.asOf])),
    chart: `![Monthly AWS bill against monthly uploads](${input.chartPath})`,
  });
}
