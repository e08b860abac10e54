/**
 * 2. Data paths: `file(id)` and `files(limit: 20)` with a user-pool token on the local stack,
 * against the same query through bare graphql-js calling the same handler bundle (cached
 * `execute()`, the caller's identity given), and against the handler's own DynamoDB call made
 * with the SDK from one Node process at the same concurrency; all three on the stack's
 * DynamoDB Local. HTTP targets under both generators; CPU per request by process and thread.
 */
import type { BenchContext } from '../lib/context.js';
import { userPoolToken } from '../lib/auth.js';
import { app, bundleForInProcess, functionForField } from '../lib/app.js';
import { barsChart, latencyDistributionChart } from '../lib/charts.js';
import { type Target, startTarget } from '../lib/child.js';
import { sampleTree } from '../lib/cpu-sampler.js';
import { JVM_PART, perRequest, processParts, stackParts, threadNameOf } from '../lib/cpu-parts.js';
import { type Generator, LATENCY_PERCENTILES, type LoadRun, generatorLabel, generators, runLoad } from '../lib/http-load.js';
import { atLeast, atMost, ratioComparison } from '../lib/ratios.js';
import { type Chart, type Comparison, type SectionReport, chartLink, fmtInt, fmtMs, markdownTable } from '../lib/report.js';
import { stackFunctionEnvironment } from '../lib/stack-stats.js';
import { mapLimit, median, percentile } from '../lib/stats.js';
import { renderTemplate } from '../lib/template.js';
import type { SdkCall, SdkRunResult } from '../targets/sdk-load.js';
import { BY_OWNER_INDEX } from '../../resolvers/files/adapters/dynamodb-file-repository.js';

const FILE_FIELDS = 'id owner fileName contentType size status width height format sha256 thumbnails { width height format url } error { code message step } createdAt updatedAt';
export const FILE_QUERY = `query File($id: ID!) { file(id: $id) { ${FILE_FIELDS} } }`;
const FILES_QUERY = `query Files($limit: Int) { files(limit: $limit) { items { ${FILE_FIELDS} } nextToken } }`;
const CREATE_UPLOAD = 'mutation CreateUpload($input: CreateUploadInput!) { createUpload(input: $input) { file { id } } }';

/** The targets for `file(id)` against the bare SDK GetItem. */
export const DATA_TARGETS = { sdkRate: atLeast(0.8), sdkP99: atMost(2) } as const;

type DataTarget = 'local, user pool' | 'graphql-js execute(), same handler' | 'SDK from one process';

interface Path {
  readonly name: 'file(id)' | 'files(limit: 20)';
  readonly body: string;
  readonly sdk: SdkCall;
  readonly sdkLabel: string;
}

/** A load's figures, whichever generator ran it, with the CPU split by part. */
interface Measured extends LoadRun {
  readonly parts: ReadonlyMap<string, number>;
}

export interface DataRow {
  readonly path: Path['name'];
  readonly target: DataTarget;
  /** The HTTP generator; '-' for the SDK, which is its own load. */
  readonly generator: Generator | '-';
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly distributionMs: readonly number[];
  readonly errors: number;
  readonly requests: number;
  readonly cpuMsPerRequest: readonly { readonly part: string; readonly ms: number }[];
}

async function graphqlPost(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, text: await response.text() };
}

/** Seeds the caller's files: `count` uploads (PENDING_UPLOAD records), through the stack. */
export async function seedFiles(url: string, token: string, count: number): Promise<string[]> {
  const ids = await mapLimit(Array.from({ length: count }, (_, i) => i), 4, async (i) => {
    const body = JSON.stringify({ query: CREATE_UPLOAD, variables: { input: { fileName: `bench-${i}.jpg`, contentType: 'image/jpeg', size: 1000 + i } } });
    const { text } = await graphqlPost(url, { authorization: token }, body);
    const id = (JSON.parse(text) as { data?: { createUpload?: { file?: { id?: string } } } }).data?.createUpload?.file?.id;
    if (!id) throw new Error(`seeding files: ${text}`);
    return id;
  });
  return ids;
}

/**
 * The answer each endpoint must give under load: its body when two calls give the same bytes
 * (then every response is compared), else any answer without errors. The bare target must
 * answer the same data as the stack: it runs the same handler on the same table.
 */
async function expectation(label: string, url: string, headers: Record<string, string>, body: string, sameDataAs?: string): Promise<{ expectBody?: string; rejectText?: string; data: string }> {
  const first = await graphqlPost(url, headers, body);
  const second = await graphqlPost(url, headers, body);
  const parsed = JSON.parse(first.text) as { data?: unknown; errors?: unknown };
  if (first.status !== 200 || parsed.errors || !parsed.data) throw new Error(`${label}: ${first.status} ${first.text.slice(0, 500)}`);
  const data = JSON.stringify(parsed.data);
  if (sameDataAs !== undefined && data !== sameDataAs) throw new Error(`${label}: answers other data than the local stack:\n${data.slice(0, 300)}\n${sameDataAs.slice(0, 300)}`);
  return first.text === second.text ? { expectBody: first.text, data } : { rejectText: '"errors"', data };
}

const fromLoad = (run: LoadRun, parts: ReadonlyMap<string, number>): Measured => ({
  reqPerSec: run.reqPerSec,
  p50Ms: run.p50Ms,
  p99Ms: run.p99Ms,
  distributionMs: run.distributionMs,
  errors: run.errors,
  requests: run.requests,
  parts,
});

export function fromSdk(result: SdkRunResult, parts: ReadonlyMap<string, number>): Measured {
  return {
    reqPerSec: result.requests / result.seconds,
    p50Ms: percentile(result.latenciesMs, 50),
    p99Ms: percentile(result.latenciesMs, 99),
    distributionMs: LATENCY_PERCENTILES.map((p) => percentile(result.latenciesMs, p)),
    errors: result.errors,
    requests: result.requests,
    parts,
  };
}

/** Runs of one target as one row: medians of rates and latencies, sums of counts, CPU pooled per request. */
export function dataRow(path: Path['name'], target: DataTarget, generator: DataRow['generator'], runs: readonly Measured[]): DataRow {
  return {
    path,
    target,
    generator,
    reqPerSec: median(runs.map((r) => r.reqPerSec)),
    p50: median(runs.map((r) => r.p50Ms)),
    p99: median(runs.map((r) => r.p99Ms)),
    distributionMs: LATENCY_PERCENTILES.map((_, i) => median(runs.map((r) => r.distributionMs[i] ?? Number.NaN))),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    requests: runs.reduce((s, r) => s + r.requests, 0),
    cpuMsPerRequest: perRequest(runs),
  };
}

export async function runData(ctx: BenchContext): Promise<SectionReport> {
  const { durationS, warmupS, runs, connections, files } = ctx.options.data;
  const stack = await ctx.localStack();
  const { topology } = await app();
  const fn = functionForField(topology, 'Query', 'file');
  const functionThreads = new Set([...topology.functions.values()].map((f) => threadNameOf(f.entry)));
  const { token, sub } = await userPoolToken(stack.info, 'bench-data');
  ctx.log(`Data paths: seeding ${files} files`);
  const ids = await seedFiles(stack.info.graphqlUrl, token, files);
  const env = await stackFunctionEnvironment(stack.info.statsUrl, fn.logicalId);
  const table = env['FILES_TABLE'];
  if (!table) throw new Error(`${fn.logicalId} has no FILES_TABLE`);
  const bundle = await bundleForInProcess(fn);
  const bare = await startTarget<{ graphqlUrl: string }>('bench/targets/graphql-bare.ts', {
    args: ['--mode', 'execute', '--bundle', bundle, '--handler', fn.handlerName, '--function', fn.logicalId, '--field', 'Query.file,Query.files', '--sub', sub],
    env,
  });
  const sdk = await startTarget<{ runUrl: string }>('bench/targets/sdk-load.ts', { env });
  try {
    const fileId = ids[0] ?? '';
    const paths: Path[] = [
      { name: 'file(id)', body: JSON.stringify({ query: FILE_QUERY, variables: { id: fileId } }), sdk: { op: 'GetItem', table, id: fileId }, sdkLabel: 'GetItem (consistent)' },
      {
        name: 'files(limit: 20)',
        body: JSON.stringify({ query: FILES_QUERY, variables: { limit: 20 } }),
        sdk: { op: 'Query', table, index: BY_OWNER_INDEX, owner: sub, limit: 20 },
        sdkLabel: `Query on ${BY_OWNER_INDEX}, Limit 21`,
      },
    ];
    const tools = generators();
    const measured = new Map<string, Measured[]>();
    const keep = (key: string, m: Measured) => measured.set(key, [...(measured.get(key) ?? []), m]);
    const sampled = async <T>(pids: readonly number[], work: () => Promise<T>) => {
      const samplers = await Promise.all(pids.map((pid) => sampleTree(pid)));
      const result = await work();
      return { result, usages: await Promise.all(samplers.map((s) => s.stop())) };
    };
    const jvmOnly = (parts: ReadonlyMap<string, number>) => new Map([[JVM_PART, parts.get(JVM_PART) ?? 0]]);
    const httpEndpoints = [] as { target: DataTarget; url: string; headers: Record<string, string>; pathName: Path['name']; check: Awaited<ReturnType<typeof expectation>>; process: Target<unknown> | undefined }[];
    for (const path of paths) {
      const local = await expectation(`local ${path.name}`, stack.info.graphqlUrl, { authorization: token }, path.body);
      const bareCheck = await expectation(`bare graphql-js ${path.name}`, bare.info.graphqlUrl, {}, path.body, local.data);
      httpEndpoints.push({ target: 'local, user pool', url: stack.info.graphqlUrl, headers: { authorization: token }, pathName: path.name, check: local, process: undefined });
      httpEndpoints.push({ target: 'graphql-js execute(), same handler', url: bare.info.graphqlUrl, headers: {}, pathName: path.name, check: bareCheck, process: bare });
    }
    const load = (e: (typeof httpEndpoints)[number], path: Path, seconds: number, g: Generator) =>
      runLoad({ url: e.url, headers: e.headers, body: path.body, durationS: seconds, connections, ...e.check }, g);
    const sdkRun = async (path: Path, seconds: number): Promise<SdkRunResult> => {
      const response = await fetch(sdk.info.runUrl, { method: 'POST', body: JSON.stringify({ call: path.sdk, durationS: seconds, concurrency: connections }) });
      if (response.status !== 200) throw new Error(`SDK load: ${response.status} ${await response.text()}`);
      return (await response.json()) as SdkRunResult;
    };
    ctx.log(`Data paths: local stack, bare graphql-js and the bare SDK on one DynamoDB Local, interleaved, with ${tools.join(' and ')}`);
    for (const path of paths) {
      for (const e of httpEndpoints.filter((x) => x.pathName === path.name)) for (const g of tools) await load(e, path, warmupS, g);
      await sdkRun(path, warmupS);
    }
    for (let round = 0; round < runs; round += 1) {
      for (const path of paths) {
        for (const g of tools) {
          for (const e of httpEndpoints.filter((x) => x.pathName === path.name)) {
            const pids = e.process ? [stack.pid, e.process.pid] : [stack.pid];
            const { result, usages } = await sampled(pids, () => load(e, path, durationS, g));
            const [stackUsage, ownUsage] = usages;
            const parts = e.process && ownUsage && stackUsage
              ? new Map([...processParts(ownUsage, 'graphql-js process'), ...jvmOnly(stackParts(stackUsage, functionThreads))])
              : stackParts(stackUsage!, functionThreads);
            keep(`${path.name}|${e.target}|${g}`, fromLoad(result, parts));
            ctx.log(`  ${g}: ${path.name}, ${e.target}, round ${round + 1}/${runs}: ${fmtInt(result.reqPerSec)} req/s, p99 ${fmtMs(result.p99Ms)} ms, ${result.errors} errors`);
          }
        }
        const { result, usages } = await sampled([stack.pid, sdk.pid], () => sdkRun(path, durationS));
        const parts = new Map([...processParts(usages[1]!, 'SDK process'), ...jvmOnly(stackParts(usages[0]!, functionThreads))]);
        const m = fromSdk(result, parts);
        keep(`${path.name}|SDK from one process|-`, m);
        ctx.log(`  SDK ${path.sdk.op}, round ${round + 1}/${runs}: ${fmtInt(m.reqPerSec)} calls/s, p99 ${fmtMs(m.p99Ms)} ms, ${m.errors} errors`);
      }
    }
    const rows: DataRow[] = [...measured].map(([key, list]) => {
      const [path, target, generator] = key.split('|') as [Path['name'], DataTarget, DataRow['generator']];
      return dataRow(path, target, generator, list);
    });
    return dataReport(ctx, rows, paths, tools);
  } finally {
    await Promise.all([bare.stop(), sdk.stop()]);
  }
}

/** Per generator and path: the stack against the SDK (the targets for file(id)) and against bare graphql-js. */
export function dataComparisons(rows: readonly DataRow[], generator: Generator): Comparison[] {
  const out: Comparison[] = [];
  for (const path of ['file(id)', 'files(limit: 20)'] as const) {
    const find = (target: DataTarget, g: DataRow['generator']) => rows.find((r) => r.path === path && r.target === target && r.generator === g);
    const ours = find('local, user pool', generator);
    const floor = find('SDK from one process', '-');
    if (!ours || !floor) continue;
    const targeted = path === 'file(id)';
    const rate = ratioComparison({ measure: `${path} req/s vs SDK (${generator})`, ours: ours.reqPerSec, reference: floor.reqPerSec, format: fmtInt, referenceName: 'SDK', target: DATA_TARGETS.sdkRate, alsoRequired: ours.errors === 0 });
    const p99 = ratioComparison({ measure: `${path} p99 ms vs SDK (${generator})`, ours: ours.p99, reference: floor.p99, format: fmtMs, referenceName: 'SDK', target: DATA_TARGETS.sdkP99 });
    // files(limit: 20) has no target in the issue: its ratios are reported, not judged.
    out.push(targeted ? rate : { ...rate, target: '-', met: undefined }, targeted ? p99 : { ...p99, target: '-', met: undefined });
  }
  return out;
}

function dataReport(ctx: BenchContext, rows: readonly DataRow[], paths: readonly Path[], tools: readonly Generator[]): SectionReport {
  const comparisons = tools.flatMap((g) => dataComparisons(rows, g));
  const charts: Chart[] = [];
  for (const path of paths) {
    const slug = path.name === 'file(id)' ? 'file' : 'files';
    for (const g of tools) {
      const shown = rows.filter((r) => r.path === path.name && (r.generator === g || r.generator === '-'));
      charts.push(
        latencyDistributionChart(`data-${slug}-latency-${g}.svg`, `${path.name} latency, HTTP load by ${generatorLabel(g)}`, shown.map((r) => ({ name: r.generator === '-' ? `SDK ${path.sdk.op}` : r.target, distributionMs: r.distributionMs }))),
      );
    }
    const cpuRows = rows.filter((r) => r.path === path.name && (r.generator === tools[0] || r.generator === '-'));
    charts.push(
      barsChart(`data-${slug}-cpu.svg`, `${path.name}: CPU ms per request (${tools[0] ?? ''} runs and the SDK)`, 'ms', cpuRows.map((r) => ({ label: r.target, bars: r.cpuMsPerRequest.filter((c) => c.ms >= 0.005).map((c) => ({ name: c.part, value: Number(c.ms.toFixed(3)) })) }))),
    );
  }
  const { durationS, runs, connections, files } = ctx.options.data;
  const details = renderTemplate('data', {
    files,
    generators: tools.map(generatorLabel).join(' and '),
    connections,
    runs,
    durationS,
    sdkCalls: paths.map((p) => `${p.name}: ${p.sdkLabel}`).join('; '),
    table: markdownTable(
      ['path', 'target', 'generator', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests', 'CPU ms per request'],
      rows.map((r) => [r.path, r.target, r.generator, fmtInt(r.reqPerSec), fmtMs(r.p50), fmtMs(r.p99), fmtInt(r.errors), fmtInt(r.requests), fmtMs(r.cpuMsPerRequest.reduce((s, c) => s + c.ms, 0))]),
    ),
    cpuTable: markdownTable(
      ['path', 'target', 'generator', 'where', 'CPU ms per request'],
      rows.flatMap((r) => r.cpuMsPerRequest.filter((c) => c.ms >= 0.005).map((c) => [r.path, r.target, r.generator, c.part, fmtMs(c.ms)])),
    ),
    charts: charts.map(chartLink).join('\n\n'),
  });
  return { name: 'data', title: 'Data paths', comparisons, details, charts, figures: { rows } };
}
