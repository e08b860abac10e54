/**
 * 1. HTTP: the same schema, query and handler on the local stack (user pool and API key), the
 * simulator (same two modes) and bare graphql-js (no auth; `graphql()` per request, and
 * `execute()` of cached documents), each loaded by both generators (wrk and autocannon; see
 * http-load.ts), the same generator for a target and its references within a round; medians of
 * the rounds, ratios per generator.
 */
import type { BenchContext } from '../lib/context.js';
import { unverifiedUserPoolToken, userPoolToken } from '../lib/auth.js';
import { type Chart, type Comparison, type SectionReport, chartLink, fmtInt, fmtMs, markdownTable } from '../lib/report.js';
import { atLeast, atMost, ratioComparison } from '../lib/ratios.js';
import { median } from '../lib/stats.js';
import { startBareTarget } from '../lib/targets.js';
import { type Generator, type LoadRun, LATENCY_PERCENTILES, generatorLabel, generators, runLoad } from '../lib/http-load.js';
import { latencyDistributionChart } from '../lib/charts.js';
import { renderTemplate } from '../lib/template.js';

export const UPLOAD_POLICY_QUERY = 'query UploadPolicy { uploadPolicy { contentTypes maxBytes ticketTtlSeconds } }';

/** The targets for `uploadPolicy` (issue 20), under each generator. */
export const HTTP_TARGETS = { simulatorRate: atLeast(6), ceilingRate: atLeast(0.6), simulatorP99: atMost(0.2) } as const;

export interface LoadResult {
  readonly generator: Generator;
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p99: number;
  /** Connection errors, timeouts, non-2xx and bodies other than the expected one, summed over runs. */
  readonly errors: number;
  readonly requests: number;
  /** Medians over the runs of the ms at each of LATENCY_PERCENTILES. */
  readonly distributionMs: readonly number[];
}

export interface HttpRow extends LoadResult {
  readonly target: 'local' | 'simulator' | 'graphql()' | 'execute() cached';
  readonly auth: 'user pool' | 'API key' | 'none';
}

/** One load run against a GraphQL endpoint; with `expectBody`, every answer must be that body. */
export function load(
  url: string,
  headers: Record<string, string>,
  durationS: number,
  connections: number,
  expectBody?: string,
  generator?: Generator,
): Promise<LoadRun> {
  return runLoad(
    {
      url,
      headers,
      body: JSON.stringify({ query: UPLOAD_POLICY_QUERY }),
      durationS,
      connections,
      ...(expectBody === undefined ? {} : { expectBody }),
    },
    generator,
  );
}

interface Endpoint {
  readonly target: HttpRow['target'];
  readonly auth: HttpRow['auth'];
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The checked answer every measured response must match. */
  body?: string;
  readonly results: Map<Generator, LoadRun[]>;
}

const labelOf = (e: Endpoint) => (e.auth === 'none' ? e.target : `${e.target}, ${e.auth}`);

/** Checks that one request answers the policy and keeps that answer as the expected body. */
async function check(endpoint: Endpoint): Promise<void> {
  const response = await fetch(endpoint.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...endpoint.headers },
    body: JSON.stringify({ query: UPLOAD_POLICY_QUERY }),
  });
  const body = await response.text();
  const parsed = JSON.parse(body) as { data?: { uploadPolicy?: { maxBytes?: number } }; errors?: unknown };
  if (response.status !== 200 || parsed.errors || typeof parsed.data?.uploadPolicy?.maxBytes !== 'number') {
    throw new Error(`${labelOf(endpoint)}: the query does not answer the policy: ${response.status} ${body}`);
  }
  endpoint.body = body;
}

/** One generator's runs as one result: medians of the figures, sums of the counts. */
export function summarizeRuns(generator: Generator, results: readonly LoadRun[]): LoadResult {
  return {
    generator,
    reqPerSec: median(results.map((r) => r.reqPerSec)),
    p50: median(results.map((r) => r.p50Ms)),
    p99: median(results.map((r) => r.p99Ms)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    distributionMs: LATENCY_PERCENTILES.map((_, i) => median(results.map((r) => r.distributionMs[i] ?? Number.NaN))),
  };
}

function summaries(endpoint: Endpoint): HttpRow[] {
  return [...endpoint.results].map(([generator, results]) => ({ target: endpoint.target, auth: endpoint.auth, ...summarizeRuns(generator, results) }));
}

/**
 * Every target is started first; then each round loads every endpoint once, in turn. This
 * machine's speed drifts by up to 2x over minutes (a shared VM: the same build measured 3.6k and
 * 6.2k req/s half an hour apart), so measuring one target's runs back to back and then the
 * next's put the drift into the ratios; interleaved, each round samples every target under the
 * same conditions, and the medians compare like with like.
 */
export async function runHttp(ctx: BenchContext): Promise<SectionReport> {
  const { durationS, warmupS, runs, connections } = ctx.options.http;
  const stack = await ctx.localStack();
  const { token } = await userPoolToken(stack.info, 'bench-http');
  const simulator = await ctx.simulator();
  const simulatorToken = (await unverifiedUserPoolToken('bench-http')).token;
  const bareGraphql = await startBareTarget('graphql');
  const bareExecute = await startBareTarget('execute');
  try {
    const endpoint = (target: HttpRow['target'], auth: HttpRow['auth'], url: string, headers: Record<string, string>): Endpoint => ({
      target,
      auth,
      url,
      headers,
      results: new Map(),
    });
    const endpoints: Endpoint[] = [
      endpoint('local', 'user pool', stack.info.graphqlUrl, { authorization: token }),
      endpoint('local', 'API key', stack.info.graphqlUrl, { 'x-api-key': stack.info.apiKey }),
      endpoint('simulator', 'user pool', simulator.info.graphqlUrl, { authorization: simulatorToken }),
      endpoint('simulator', 'API key', simulator.info.graphqlUrl, { 'x-api-key': simulator.info.apiKey }),
      endpoint('graphql()', 'none', bareGraphql.info.graphqlUrl, {}),
      endpoint('execute() cached', 'none', bareExecute.info.graphqlUrl, {}),
    ];
    const tools = generators();
    ctx.log(`HTTP: local stack, amplify-appsync-simulator and bare graphql-js, interleaved, with ${tools.join(' and ')}`);
    for (const e of endpoints) {
      await check(e);
      for (const g of tools) await load(e.url, e.headers, warmupS, connections, e.body, g);
    }
    // Each round: every generator in turn, and under each every endpoint in turn (see above).
    for (let run = 0; run < runs; run += 1) {
      for (const g of tools) {
        for (const e of endpoints) {
          const result = await load(e.url, e.headers, durationS, connections, e.body, g);
          ctx.log(`  ${g}: ${labelOf(e)} run ${run + 1}/${runs}: ${fmtInt(result.reqPerSec)} req/s, p99 ${fmtMs(result.p99Ms)} ms`);
          e.results.set(g, [...(e.results.get(g) ?? []), result]);
        }
      }
    }
    const rows = endpoints.flatMap(summaries);
    return httpReport(ctx, tools.flatMap((g) => rows.filter((r) => r.generator === g)), tools);
  } finally {
    await Promise.all([bareGraphql.stop(), bareExecute.stop()]);
  }
}

/** The summary rows of one generator's figures: each auth mode against the simulator and the ceiling. */
export function httpComparisons(rows: readonly HttpRow[], generator: Generator): Comparison[] {
  const find = (target: HttpRow['target'], auth: HttpRow['auth']) => rows.find((r) => r.target === target && r.auth === auth && r.generator === generator);
  const ceiling = find('execute() cached', 'none');
  const comparisons: Comparison[] = [];
  for (const auth of ['user pool', 'API key'] as const) {
    const ours = find('local', auth);
    const simulator = find('simulator', auth);
    if (!ours) continue;
    const clean = ours.errors === 0;
    if (simulator) {
      comparisons.push(
        ratioComparison({
          measure: `req/s, ${auth} (${generator})`,
          ours: ours.reqPerSec,
          reference: simulator.reqPerSec,
          format: fmtInt,
          referenceName: 'simulator',
          target: HTTP_TARGETS.simulatorRate,
          alsoRequired: clean,
        }),
        ratioComparison({
          measure: `p99 ms, ${auth} (${generator})`,
          ours: ours.p99,
          reference: simulator.p99,
          format: fmtMs,
          referenceName: 'simulator',
          target: HTTP_TARGETS.simulatorP99,
        }),
      );
    }
    if (ceiling) {
      comparisons.push(
        ratioComparison({
          measure: `req/s, ${auth}, vs ceiling (${generator})`,
          ours: ours.reqPerSec,
          reference: ceiling.reqPerSec,
          format: fmtInt,
          referenceName: 'execute() cached',
          target: HTTP_TARGETS.ceilingRate,
          alsoRequired: clean,
        }),
      );
    }
  }
  return comparisons;
}

const rowLabel = (r: HttpRow) => (r.auth === 'none' ? r.target : `${r.target}, ${r.auth}`);

function httpReport(ctx: BenchContext, rows: readonly HttpRow[], tools: readonly Generator[]): SectionReport {
  const comparisons = tools.flatMap((g) => httpComparisons(rows, g));
  const charts: Chart[] = tools.map((g) =>
    latencyDistributionChart(
      `http-latency-${g}.svg`,
      `uploadPolicy latency, ${generatorLabel(g)}`,
      rows.filter((r) => r.generator === g).map((r) => ({ name: rowLabel(r), distributionMs: r.distributionMs })),
    ),
  );
  const { durationS, runs, connections } = ctx.options.http;
  const details = renderTemplate('http', {
    query: UPLOAD_POLICY_QUERY,
    generators: tools.map(generatorLabel).join(' and '),
    connections,
    runs,
    durationS,
    table: markdownTable(
      ['generator', 'target', 'auth', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests'],
      rows.map((r) => [r.generator, r.target, r.auth, fmtInt(r.reqPerSec), fmtMs(r.p50), fmtMs(r.p99), fmtInt(r.errors), fmtInt(r.requests)]),
    ),
    charts: charts.map(chartLink).join('\n\n'),
  });
  return { name: 'http', title: 'HTTP', comparisons, details, charts, figures: { rows } };
}
