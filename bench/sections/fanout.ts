/**
 * 2. Fan-out: N subscribers on real sockets to `onFileEvent` of one file, 100 IAM publishes of
 * `publishFileEvent` back to back (each awaited). Locally the owner filter comes from the
 * subscription resolver (APPSYNC_JS, enhanced filter); the simulator filters on the argument;
 * the bare `ws` server broadcasts to every socket. Rounds interleave the three targets and the
 * rows are their medians (see runFanout).
 */
import { randomUUID } from 'node:crypto';
import type { BenchContext } from '../lib/context.js';
import { type IamCredentials, signedHeaders, unverifiedUserPoolToken, userPoolToken } from '../lib/auth.js';
import { MARKER, type SubscriberSpec, SubscriberFleet } from '../lib/realtime.js';
import { type Comparison, type SectionReport, chartLink, fmtInt, fmtMs, markdownTable } from '../lib/report.js';
import { FANOUT_PERCENTILES, latencyDistributionChart, sampleDistribution } from '../lib/charts.js';
import { renderTemplate } from '../lib/template.js';
import { max, median, percentile } from '../lib/stats.js';
import { type LocalStackInfo, startBroadcastTarget } from '../lib/targets.js';
import { OPERATIONS } from '../lib/operations.js';


export interface FanoutRow {
  readonly target: string;
  readonly filter: string;
  readonly subscribers: number;
  readonly publishes: number;
  readonly msgPerSec: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly publishMs: number;
  /** Messages a subscriber to another file received (should be 0); undefined: not checked. */
  readonly leaked: number | undefined;
  /** Publish-to-receipt ms at each of FANOUT_PERCENTILES. */
  readonly distributionMs: readonly number[];
}

export const base64Url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

export function startMessage(host: string, token: string, fileId: string): string {
  const data = JSON.stringify({ query: OPERATIONS.onFileEvent, variables: { fileId } });
  return JSON.stringify({ id: 'bench', type: 'start', payload: { data, extensions: { authorization: { host, Authorization: token } } } });
}

export type Publish = (index: number) => Promise<void>;

async function measure(
  ctx: BenchContext,
  target: string,
  filter: string,
  spec: (index: number) => SubscriberSpec,
  publisher: (fleet: SubscriberFleet) => Publish,
  /** Marks the measured phase (publishing and delivery), e.g. for a profile. */
  phase: { start?: () => void; end?: () => void } = {},
  /** A subscriber to another file, which must receive nothing: checks that the filter applies. */
  decoy?: SubscriberSpec,
  /** How the log names this measurement (e.g. with its round); the target by default. */
  label: string = target,
): Promise<FanoutRow> {
  const { subscribers, publishes, drainMs } = ctx.options.fanout;
  const fleet = new SubscriberFleet(subscribers, publishes);
  const other = new SubscriberFleet(1, publishes);
  const publish = publisher(fleet);
  try {
    const opening = performance.now();
    await fleet.open(spec);
    if (decoy) await other.open(() => decoy);
    ctx.log(`  ${label}: ${subscribers} subscribers live in ${fmtInt(performance.now() - opening)} ms`);
    phase.start?.();
    const started = performance.now();
    for (let i = 0; i < publishes; i += 1) {
      await publish(i);
    }
    const published = performance.now();
    await fleet.drain(drainMs);
    phase.end?.();
    const firstSent = fleet.sentAt[0] ?? started;
    const latencies = fleet.latencies.subarray(0, fleet.delivered);
    const row: FanoutRow = {
      target,
      filter,
      subscribers,
      publishes,
      msgPerSec: fleet.delivered / ((fleet.lastReceipt - firstSent) / 1000),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: max(latencies),
      lost: subscribers * publishes - fleet.delivered,
      duplicates: fleet.duplicates,
      publishMs: published - started,
      leaked: decoy ? other.delivered : undefined,
      distributionMs: sampleDistribution(latencies),
    };
    ctx.log(
      `  ${label}: ${fmtInt(row.msgPerSec)} msg/s, p50 ${fmtMs(row.p50)} / p95 ${fmtMs(row.p95)} / max ${fmtMs(row.max)} ms, ` +
        `lost ${row.lost}, duplicates ${row.duplicates}, leaked ${row.leaked ?? 'n/a'}, publishing ${fmtInt(row.publishMs)} ms`,
    );
    return row;
  } finally {
    fleet.close();
    other.close();
  }
}

/** The local stack: user-pool subscribers, the owner filter set by the subscription resolver. */
export async function measureLocalFanout(
  ctx: BenchContext,
  stack: LocalStackInfo,
  fileId: string,
  phase: { start?: () => void; end?: () => void } = {},
  label = 'local',
): Promise<FanoutRow> {
  const { token, sub } = await userPoolToken(stack, 'bench-fanout');
  const header = base64Url({ host: stack.host, Authorization: token });
  const start = startMessage(stack.host, token, fileId);
  const credentials = { ...stack.developerCredentials, region: stack.region };
  const protocols = ['graphql-ws', `header-${header}`];
  return measure(
    ctx,
    'local',
    'owner (resolver) + fileId',
    () => ({ url: stack.realtimeUrl, protocols, start }),
    (f) => graphqlPublisher(f, stack.graphqlUrl, credentials, fileId, sub),
    phase,
    { url: stack.realtimeUrl, protocols, start: startMessage(stack.host, token, randomUUID()) },
    label,
  );
}

/** A publish of event `index` through the IAM-only mutation; `sentAt` is stamped just before it leaves. */
export function graphqlPublisher(fleet: SubscriberFleet, url: string, credentials: IamCredentials, fileId: string, owner: string): Publish {
  return async (index) => {
    const body = JSON.stringify({
      query: OPERATIONS.publishFileEvent,
      variables: { input: { fileId, owner, status: 'PROCESSING', step: 'PROCESS', message: `${MARKER}${index}` } },
    });
    const headers = await signedHeaders(url, body, credentials);
    fleet.sentAt[index] = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json; charset=UTF-8' }, body });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"') || text.includes('errorMessage')) throw new Error(`publish ${index}: ${response.status} ${text}`);
  };
}

/** One target's rounds as one row: medians of the figures, sums of the counts. */
function mergeRounds(rounds: readonly FanoutRow[]): FanoutRow {
  const first = rounds[0];
  if (!first) throw new Error('fan-out: no rounds to merge');
  const mid = (pick: (r: FanoutRow) => number) => median(rounds.map(pick));
  const sum = (pick: (r: FanoutRow) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  return {
    target: first.target,
    filter: first.filter,
    subscribers: first.subscribers,
    publishes: first.publishes,
    msgPerSec: mid((r) => r.msgPerSec),
    p50: mid((r) => r.p50),
    p95: mid((r) => r.p95),
    max: mid((r) => r.max),
    lost: sum((r) => r.lost),
    duplicates: sum((r) => r.duplicates),
    publishMs: mid((r) => r.publishMs),
    leaked: rounds.some((r) => r.leaked === undefined) ? undefined : sum((r) => r.leaked ?? 0),
    distributionMs: FANOUT_PERCENTILES.map((_, i) => median(rounds.map((r) => r.distributionMs[i] ?? Number.NaN))),
  };
}

/**
 * Every target is started first; then each round measures local, simulator and bare `ws` once,
 * in turn, each with a fresh fleet of subscribers, and each round on a fresh file id so that no
 * round's subscribers can see another round's events. This machine's speed drifts by up to 2x
 * over minutes (a shared VM; our p95 over the simulator's moved between 0.39x and 0.56x across
 * single back-to-back runs), so measuring one target and then the next put the drift into the
 * ratios; interleaved, each round samples every target under the same conditions, and the
 * medians compare like with like (see http.ts).
 */
export async function runFanout(ctx: BenchContext): Promise<SectionReport> {
  const { rounds } = ctx.options.fanout;
  const stack = (await ctx.localStack()).info;
  const simulator = (await ctx.simulator()).info;
  const { token: simulatorToken, sub: simulatorSub } = await unverifiedUserPoolToken('bench-fanout');
  const simulatorHeader = base64({ host: simulator.host, Authorization: simulatorToken });
  const simulatorUrl = `${simulator.realtimeUrl}?header=${encodeURIComponent(simulatorHeader)}&payload=e30%3D`;
  const simulatorCredentials = { accessKeyId: simulator.accessKeyId, secretAccessKey: 'bench', region: 'us-east-1' };
  const broadcast = await startBroadcastTarget();
  const results: { local: FanoutRow[]; simulator: FanoutRow[]; bare: FanoutRow[] } = { local: [], simulator: [], bare: [] };
  try {
    ctx.log(`Fan-out: local stack, amplify-appsync-simulator and bare ws broadcast, ${rounds} round(s) interleaved`);
    for (let round = 0; round < rounds; round += 1) {
      const fileId = randomUUID();
      const of = `round ${round + 1}/${rounds}`;
      results.local.push(await measureLocalFanout(ctx, stack, fileId, {}, `local ${of}`));
      results.simulator.push(
        await measure(
          ctx,
          'simulator',
          'fileId (argument)',
          () => ({ url: simulatorUrl, protocols: ['graphql-ws'], start: startMessage(simulator.host, simulatorToken, fileId) }),
          (f) => graphqlPublisher(f, simulator.graphqlUrl, simulatorCredentials, fileId, simulatorSub),
          {},
          { url: simulatorUrl, protocols: ['graphql-ws'], start: startMessage(simulator.host, simulatorToken, randomUUID()) },
          `simulator ${of}`,
        ),
      );
      results.bare.push(
        await measure(
          ctx,
          'bare ws',
          'none',
          () => ({ url: broadcast.info.realtimeUrl, protocols: [], start: undefined }),
          (f) => async (index) => {
            const body = JSON.stringify({ fileId, owner: 'bench', status: 'PROCESSING', step: 'PROCESS', message: `${MARKER}${index}` });
            f.sentAt[index] = performance.now();
            const response = await fetch(broadcast.info.publishUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
            await response.text();
          },
          {},
          undefined,
          `bare ws ${of}`,
        ),
      );
    }
  } finally {
    await broadcast.stop();
  }
  return fanoutReport(ctx, [mergeRounds(results.local), mergeRounds(results.simulator), mergeRounds(results.bare)]);
}

function fanoutReport(ctx: BenchContext, rows: readonly FanoutRow[]): SectionReport {
  const ours = rows.find((r) => r.target === 'local');
  const simulator = rows.find((r) => r.target === 'simulator');
  const comparisons: Comparison[] = [];
  if (ours && simulator) {
    const rate = ours.msgPerSec / simulator.msgPerSec;
    comparisons.push({ measure: 'delivered msg/s', ours: fmtInt(ours.msgPerSec), reference: `simulator ${fmtInt(simulator.msgPerSec)}`, ratio: rate, target: '>= 2x', met: rate >= 2 });
    const p95 = ours.p95 / simulator.p95;
    comparisons.push({ measure: 'p95 publish-to-receipt ms', ours: fmtMs(ours.p95), reference: `simulator ${fmtMs(simulator.p95)}`, ratio: p95, target: '<= 0.5x', met: p95 <= 0.5 });
  }
  if (ours) {
    comparisons.push({
      measure: 'lost / to another file\'s subscriber',
      ours: `${fmtInt(ours.lost)} / ${ours.leaked === undefined ? 'n/a' : fmtInt(ours.leaked)}`,
      reference: simulator ? `simulator ${fmtInt(simulator.lost)} / ${simulator.leaked === undefined ? 'n/a' : fmtInt(simulator.leaked)}` : '-',
      ratio: undefined,
      target: '0 / 0',
      met: ours.lost === 0 && ours.duplicates === 0 && (ours.leaked ?? 0) === 0,
    });
  }
  const { subscribers, publishes, rounds } = ctx.options.fanout;
  const chart = latencyDistributionChart(
    'fanout-latency.svg',
    `Publish-to-receipt latency, ${fmtInt(subscribers)} subscribers, ${publishes} publishes back to back`,
    rows.map((r) => ({ name: r.target, distributionMs: r.distributionMs })),
    FANOUT_PERCENTILES,
  );
  const details = renderTemplate('fanout', {
    subscribers: fmtInt(subscribers),
    publishes,
    rounds,
    table: markdownTable(
      ['target', 'filter', 'delivered msg/s', 'p50 ms', 'p95 ms', 'max ms', 'lost', 'duplicates', 'to another file\'s subscriber', 'publishing took ms'],
      rows.map((r) => [
        r.target,
        r.filter,
        fmtInt(r.msgPerSec),
        fmtMs(r.p50),
        fmtMs(r.p95),
        fmtMs(r.max),
        fmtInt(r.lost),
        fmtInt(r.duplicates),
        r.leaked === undefined ? 'n/a' : r.leaked === 0 ? '0' : `**${fmtInt(r.leaked)}**`,
        fmtInt(r.publishMs),
      ]),
    ),
    chart: chartLink(chart),
  });
  return { name: 'fanout', title: 'Fan-out', comparisons, details, charts: [chart], figures: { rows } };
}
