/**
 * 1. HTTP: the same schema, query and handler on the local stack (user pool and API key), the
 * simulator (same two modes) and bare graphql-js (no auth; `graphql()` per request, and
 * `execute()` of cached documents). wrk (or autocannon without it; see http-load.ts), 50
 * connections; medians of the runs.
 */
import type { BenchContext } from '../lib/context.js';
import { unverifiedUserPoolToken, userPoolToken } from '../lib/auth.js';
import { type Comparison, type SectionReport, fmtInt, fmtMs, markdownTable } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { startBareTarget } from '../lib/targets.js';
import { type LoadRun, loadTool, runLoad } from '../lib/http-load.js';

export const UPLOAD_POLICY_QUERY = 'query UploadPolicy { uploadPolicy { contentTypes maxBytes ticketTtlSeconds } }';

export interface LoadResult {
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p99: number;
  /** Connection errors, timeouts, non-2xx and bodies other than the expected one, summed over runs. */
  readonly errors: number;
  readonly requests: number;
}

export interface HttpRow extends LoadResult {
  readonly target: 'local' | 'simulator' | 'graphql()' | 'execute() cached';
  readonly auth: 'user pool' | 'API key' | 'none';
}

/** One load run against a GraphQL endpoint; with `expectBody`, every answer must be that body. */
export function load(url: string, headers: Record<string, string>, durationS: number, connections: number, expectBody?: string): Promise<LoadRun> {
  return runLoad({
    url,
    headers,
    body: JSON.stringify({ query: UPLOAD_POLICY_QUERY }),
    durationS,
    connections,
    ...(expectBody === undefined ? {} : { expectBody }),
  });
}

interface Endpoint {
  readonly target: HttpRow['target'];
  readonly auth: HttpRow['auth'];
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The checked answer every measured response must match. */
  body?: string;
  readonly results: LoadRun[];
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

function summary(endpoint: Endpoint): HttpRow {
  const { results } = endpoint;
  return {
    target: endpoint.target,
    auth: endpoint.auth,
    reqPerSec: median(results.map((r) => r.reqPerSec)),
    p50: median(results.map((r) => r.p50Ms)),
    p99: median(results.map((r) => r.p99Ms)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
  };
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
      results: [],
    });
    const endpoints: Endpoint[] = [
      endpoint('local', 'user pool', stack.info.graphqlUrl, { authorization: token }),
      endpoint('local', 'API key', stack.info.graphqlUrl, { 'x-api-key': stack.info.apiKey }),
      endpoint('simulator', 'user pool', simulator.info.graphqlUrl, { authorization: simulatorToken }),
      endpoint('simulator', 'API key', simulator.info.graphqlUrl, { 'x-api-key': simulator.info.apiKey }),
      endpoint('graphql()', 'none', bareGraphql.info.graphqlUrl, {}),
      endpoint('execute() cached', 'none', bareExecute.info.graphqlUrl, {}),
    ];
    ctx.log('HTTP: local stack, amplify-appsync-simulator and bare graphql-js, interleaved');
    for (const e of endpoints) {
      await check(e);
      await load(e.url, e.headers, warmupS, connections, e.body);
    }
    for (let run = 0; run < runs; run += 1) {
      for (const e of endpoints) {
        const result = await load(e.url, e.headers, durationS, connections, e.body);
        ctx.log(`  ${labelOf(e)} run ${run + 1}/${runs}: ${fmtInt(result.reqPerSec)} req/s, p99 ${fmtMs(result.p99Ms)} ms`);
        e.results.push(result);
      }
    }
    return httpReport(ctx, endpoints.map(summary));
  } finally {
    await Promise.all([bareGraphql.stop(), bareExecute.stop()]);
  }
}

function httpReport(ctx: BenchContext, rows: readonly HttpRow[]): SectionReport {
  const find = (target: HttpRow['target'], auth: HttpRow['auth']) => rows.find((r) => r.target === target && r.auth === auth);
  const ceiling = find('execute() cached', 'none');
  const comparisons: Comparison[] = [];
  for (const auth of ['user pool', 'API key'] as const) {
    const ours = find('local', auth);
    const simulator = find('simulator', auth);
    if (!ours) continue;
    if (simulator) {
      const ratio = ours.reqPerSec / simulator.reqPerSec;
      comparisons.push({
        measure: `req/s, ${auth}`,
        ours: fmtInt(ours.reqPerSec),
        reference: `simulator ${fmtInt(simulator.reqPerSec)}`,
        ratio,
        target: '>= 5x',
        met: ratio >= 5 && ours.errors === 0,
      });
      const p99Ratio = ours.p99 / simulator.p99;
      comparisons.push({
        measure: `p99 ms, ${auth}`,
        ours: fmtMs(ours.p99),
        reference: `simulator ${fmtMs(simulator.p99)}`,
        ratio: p99Ratio,
        target: '<= 0.25x',
        met: p99Ratio <= 0.25,
      });
    }
    if (ceiling) {
      const ratio = ours.reqPerSec / ceiling.reqPerSec;
      comparisons.push({
        measure: `req/s, ${auth}, vs ceiling`,
        ours: fmtInt(ours.reqPerSec),
        reference: `execute() cached ${fmtInt(ceiling.reqPerSec)}`,
        ratio,
        target: '>= 0.5x',
        met: ratio >= 0.5,
      });
    }
  }
  const { durationS, runs, connections } = ctx.options.http;
  const details = [
    `Query \`${UPLOAD_POLICY_QUERY}\`, resolved by the function the template wires to \`Query.uploadPolicy\` ` +
      `(direct Lambda resolver locally; VTL request/response templates on a Lambda data source in the simulator; a field resolver calling the same handler bundle in bare graphql-js). ` +
      `${loadTool()} (http-load.ts says why wrk when it is there, and why the simulator's p99 is longer under it than under autocannon), ${connections} connections, ${runs} run(s) of ${durationS} s after a warm-up, medians; every target in its own process on 127.0.0.1, plain HTTP; the runs interleaved (each round loads every endpoint once, in turn), so that drift in the machine's speed falls on every target alike.`,
    '',
    markdownTable(
      ['target', 'auth', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests'],
      rows.map((r) => [r.target, r.auth, fmtInt(r.reqPerSec), fmtMs(r.p50), fmtMs(r.p99), fmtInt(r.errors), fmtInt(r.requests)]),
    ),
  ].join('\n');
  return { name: 'http', title: 'HTTP', comparisons, details };
}
