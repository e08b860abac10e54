/**
 * 2b. Fan-out at AppSync's scale: N subscribers (one WebSocket each) on `onFileEvent` of one
 * file, one IAM publish per second; loss, duplicates, messages to another file's subscribers,
 * publish-to-receipt percentiles, and the server's memory per subscriber; the bare `ws`
 * broadcast beside it, in the same run. AppSync's own published figure stands beside them.
 */
import { randomUUID } from 'node:crypto';
import type { BenchContext } from '../lib/context.js';
import type { Target } from '../lib/child.js';
import { userPoolToken } from '../lib/auth.js';
import { FANOUT_PERCENTILES, latencyDistributionChart, sampleDistribution } from '../lib/charts.js';
import { MARKER, type SubscriberSpec, SubscriberFleet } from '../lib/realtime.js';
import { atMost, ratioComparison } from '../lib/ratios.js';
import { type Chart, type Comparison, type SectionReport, chartLink, fmtInt, fmtKiB, fmtMs, markdownTable } from '../lib/report.js';
import { percentile, sleep } from '../lib/stats.js';
import { startBroadcastTarget } from '../lib/targets.js';
import { fileLimits, openFilesShortfall } from '../lib/fd-limit.js';
import { renderTemplate } from '../lib/template.js';
import { type Publish, base64Url, graphqlPublisher, startMessage } from './fanout.js';

/** AppSync's published broadcast benchmark: 10,000 subscribers, p95 83 ms (issue 20). */
export const APPSYNC_P95_MS = 83;
export const SCALE_TARGETS = { p95VsBare: atMost(1.5), kibPerSubscriber: 20 } as const;
const DECOYS = 10;

export interface ScaleRow {
  readonly target: 'local' | 'bare ws';
  readonly subscribers: number;
  readonly publishes: number;
  readonly openSeconds: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicates: number;
  /** Messages the subscribers to another file received; undefined: not checked (bare ws filters nothing). */
  readonly leaked: number | undefined;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly distributionMs: readonly number[];
  /** Server RSS with no subscribers, with all of them live, and after they closed, KiB. */
  readonly rssBeforeKiB: number;
  readonly rssLiveKiB: number;
  readonly rssAfterKiB: number;
}

/** The server's resident memory per live subscriber, KiB. */
export const kibPerSubscriber = (row: Pick<ScaleRow, 'rssBeforeKiB' | 'rssLiveKiB' | 'subscribers'>): number =>
  row.subscribers > 0 ? (row.rssLiveKiB - row.rssBeforeKiB) / row.subscribers : Number.NaN;


interface Side {
  readonly target: ScaleRow['target'];
  readonly server: Target<unknown>;
  readonly spec: (index: number) => SubscriberSpec;
  readonly decoy: SubscriberSpec | undefined;
  readonly publisher: (fleet: SubscriberFleet) => Publish;
}

async function measureScale(ctx: BenchContext, side: Side): Promise<ScaleRow> {
  const { subscribers, publishes, intervalMs, drainMs, openConcurrency } = ctx.options.scale;
  const fleet = new SubscriberFleet(subscribers, publishes);
  const others = new SubscriberFleet(side.decoy ? DECOYS : 0, publishes);
  const publish = side.publisher(fleet);
  try {
    await sleep(1_000);
    const before = await side.server.memory();
    const opening = performance.now();
    await fleet.open(side.spec, openConcurrency);
    if (side.decoy) await others.open(() => side.decoy as SubscriberSpec);
    const openSeconds = (performance.now() - opening) / 1000;
    await sleep(1_000);
    const live = await side.server.memory();
    ctx.log(`  ${side.target}: ${fmtInt(subscribers)} subscribers live in ${openSeconds.toFixed(1)} s; server RSS ${fmtKiB(before.rssKiB)} -> ${fmtKiB(live.rssKiB)}`);
    const started = performance.now();
    for (let i = 0; i < publishes; i += 1) {
      const due = started + i * intervalMs;
      if (due > performance.now()) await sleep(due - performance.now());
      await publish(i);
    }
    await fleet.drain(drainMs);
    const latencies = fleet.latencies.subarray(0, fleet.delivered);
    fleet.close();
    others.close();
    await sleep(2_000);
    const after = await side.server.memory();
    const row: ScaleRow = {
      target: side.target,
      subscribers,
      publishes,
      openSeconds,
      delivered: fleet.delivered,
      lost: subscribers * publishes - fleet.delivered,
      duplicates: fleet.duplicates,
      leaked: side.decoy ? others.delivered : undefined,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
      distributionMs: sampleDistribution(latencies),
      rssBeforeKiB: before.rssKiB,
      rssLiveKiB: live.rssKiB,
      rssAfterKiB: after.rssKiB,
    };
    ctx.log(
      `  ${side.target}: p50 ${fmtMs(row.p50)} / p95 ${fmtMs(row.p95)} / p99 ${fmtMs(row.p99)} ms, lost ${row.lost}, duplicates ${row.duplicates}, ` +
        `leaked ${row.leaked ?? 'n/a'}, ${kibPerSubscriber(row).toFixed(1)} KiB per subscriber`,
    );
    return row;
  } finally {
    fleet.close();
    others.close();
  }
}

export async function runScale(ctx: BenchContext): Promise<SectionReport> {
  const { subscribers } = ctx.options.scale;
  // The harness holds every client socket; the server under test its own end of each.
  const shortfall = openFilesShortfall(fileLimits(), subscribers + DECOYS + 1_000);
  if (shortfall) throw new Error(`${subscribers} subscribers: ${shortfall}`);
  const stack = await ctx.localStack();
  const broadcast = await startBroadcastTarget();
  try {
    const { info } = stack;
    const { token, sub } = await userPoolToken(info, 'bench-scale');
    const protocols = ['graphql-ws', `header-${base64Url({ host: info.host, Authorization: token })}`];
    const fileId = randomUUID();
    const credentials = { ...info.developerCredentials, region: info.region };
    ctx.log(`Fan-out at scale: ${fmtInt(subscribers)} subscribers, one publish per ${ctx.options.scale.intervalMs} ms, local stack then bare ws`);
    const local = await measureScale(ctx, {
      target: 'local',
      server: stack,
      spec: () => ({ url: info.realtimeUrl, protocols, start: startMessage(info.host, token, fileId) }),
      decoy: { url: info.realtimeUrl, protocols, start: startMessage(info.host, token, randomUUID()) },
      publisher: (f) => graphqlPublisher(f, info.graphqlUrl, credentials, fileId, sub),
    });
    const bare = await measureScale(ctx, {
      target: 'bare ws',
      server: broadcast,
      spec: () => ({ url: broadcast.info.realtimeUrl, protocols: [], start: undefined }),
      decoy: undefined,
      publisher: (f) => async (index) => {
        const body = JSON.stringify({ fileId, owner: sub, status: 'PROCESSING', step: 'PROCESS', message: `${MARKER}${index}` });
        f.sentAt[index] = performance.now();
        await (await fetch(broadcast.info.publishUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
      },
    });
    return scaleReport(ctx, local, bare);
  } finally {
    await broadcast.stop();
  }
}

export function scaleComparisons(local: ScaleRow, bare: ScaleRow): Comparison[] {
  const perSubscriber = kibPerSubscriber(local);
  return [
    {
      measure: `${fmtInt(local.subscribers)} subscribers: lost / duplicates / to another file's subscribers`,
      ours: `${fmtInt(local.lost)} / ${fmtInt(local.duplicates)} / ${local.leaked === undefined ? 'n/a' : fmtInt(local.leaked)}`,
      reference: `bare ws ${fmtInt(bare.lost)} / ${fmtInt(bare.duplicates)} / n/a`,
      ratio: undefined,
      target: '0 / 0 / 0',
      met: local.lost === 0 && local.duplicates === 0 && local.leaked === 0,
    },
    ratioComparison({
      measure: `${fmtInt(local.subscribers)} subscribers: p95 publish-to-receipt ms`,
      ours: local.p95,
      reference: bare.p95,
      format: fmtMs,
      referenceName: `bare ws (AppSync publishes ${APPSYNC_P95_MS} ms)`,
      target: SCALE_TARGETS.p95VsBare,
    }),
    {
      measure: `${fmtInt(local.subscribers)} subscribers: stack memory per subscriber`,
      ours: `${perSubscriber.toFixed(1)} KiB`,
      reference: `bare ws ${kibPerSubscriber(bare).toFixed(1)} KiB`,
      ratio: undefined,
      target: `<= ${SCALE_TARGETS.kibPerSubscriber} KiB`,
      met: Number.isFinite(perSubscriber) ? perSubscriber <= SCALE_TARGETS.kibPerSubscriber : undefined,
    },
  ];
}

function scaleReport(ctx: BenchContext, local: ScaleRow, bare: ScaleRow): SectionReport {
  const { subscribers, publishes, intervalMs, drainMs, openConcurrency } = ctx.options.scale;
  const chart: Chart = latencyDistributionChart(
    'fanout-scale-latency.svg',
    `Publish-to-receipt latency, ${fmtInt(subscribers)} subscribers`,
    [local, bare].map((r) => ({ name: r.target, distributionMs: r.distributionMs })),
    FANOUT_PERCENTILES,
  );
  const details = renderTemplate('scale', {
    subscribers: fmtInt(subscribers),
    decoys: DECOYS,
    publishes,
    intervalMs,
    drainS: drainMs / 1000,
    openConcurrency,
    appsyncP95: APPSYNC_P95_MS,
    table: markdownTable(
      ['target', 'subscribers', 'live after s', 'delivered', 'lost', 'duplicates', 'to another file\'s subscribers', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      [local, bare].map((r) => [r.target, fmtInt(r.subscribers), r.openSeconds.toFixed(1), fmtInt(r.delivered), fmtInt(r.lost), fmtInt(r.duplicates), r.leaked === undefined ? 'n/a' : fmtInt(r.leaked), fmtMs(r.p50), fmtMs(r.p95), fmtMs(r.p99), fmtMs(r.max)]),
    ),
    memoryTable: markdownTable(
      ['target', 'RSS before', 'RSS with subscribers live', 'per subscriber', 'RSS after they closed'],
      [local, bare].map((r) => [r.target, fmtKiB(r.rssBeforeKiB), fmtKiB(r.rssLiveKiB), `${kibPerSubscriber(r).toFixed(1)} KiB`, fmtKiB(r.rssAfterKiB)]),
    ),
    chart: chartLink(chart),
  });
  return { name: 'scale', title: 'Fan-out at scale', comparisons: scaleComparisons(local, bare), details, charts: [chart], figures: { local, bare, appsyncP95Ms: APPSYNC_P95_MS } };
}
