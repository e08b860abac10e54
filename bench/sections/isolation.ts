/**
 * What the execution environments cost, apart from HTTP, auth and GraphQL: the files function's
 * handler bundle called with one `file(id)` event, imported in-process (N calls in flight on one
 * event loop, as the data section's bare graphql-js target runs it) and in N execution
 * environments of the stack's own LocalFunction (worker threads, one invocation each at a time,
 * as Lambda runs them); both in one process of their own (bench/targets/handler-load.ts), on the
 * stack's DynamoDB Local. It is the data section's evidence: how much of the gap to the bare SDK
 * the environments make on this machine.
 */
import type { BenchContext } from '../lib/context.js';
import { userPoolToken } from '../lib/auth.js';
import { app, bundleForInProcess, functionForField } from '../lib/app.js';
import { startTarget } from '../lib/child.js';
import { sampleTree } from '../lib/cpu-sampler.js';
import { stackParts, threadNameOf } from '../lib/cpu-parts.js';
import { ratioOf } from '../lib/ratios.js';
import { type Comparison, type SectionReport, fmtInt, markdownTable } from '../lib/report.js';
import { stackFunctionEnvironment } from '../lib/stack-stats.js';
import { median } from '../lib/stats.js';
import { renderTemplate } from '../lib/template.js';
import type { HandlerMode, HandlerRunRequest, HandlerRunResult } from '../targets/handler-load.js';
import { seedFiles } from './data.js';

const MODE_LABEL: Record<HandlerMode, string> = {
  'in-process': 'in-process (one event loop)',
  environments: 'execution environments (worker threads)',
};

const PART_NAMES = {
  main: 'main thread (the calls; in-process, the handler too)',
  other: 'other threads (libuv, V8 GC and compiler)',
} as const;

export interface IsolationRow {
  readonly mode: HandlerMode;
  readonly inFlight: number;
  /** Median of the rounds. */
  readonly callsPerSec: number;
  readonly calls: number;
  readonly errors: number;
  /** CPU µs per call by part, over every round. */
  readonly cpuUsPerCall: readonly { readonly part: string; readonly us: number }[];
}

export const totalUs = (row: IsolationRow): number => row.cpuUsPerCall.reduce((sum, p) => sum + p.us, 0);

/** One run's figures, before the rounds are combined. */
export interface IsolationRun {
  readonly result: HandlerRunResult;
  readonly parts: ReadonlyMap<string, number>;
}

/** Rounds of one mode and concurrency as one row: the median rate, CPU summed over all calls. */
export function isolationRow(mode: HandlerMode, inFlight: number, runs: readonly IsolationRun[]): IsolationRow {
  const calls = runs.reduce((sum, r) => sum + r.result.calls, 0);
  const ms = new Map<string, number>();
  for (const run of runs) for (const [part, value] of run.parts) ms.set(part, (ms.get(part) ?? 0) + value);
  return {
    mode,
    inFlight,
    callsPerSec: median(runs.map((r) => r.result.calls / r.result.seconds)),
    calls,
    errors: runs.reduce((sum, r) => sum + r.result.errors, 0),
    cpuUsPerCall: calls === 0 ? [] : [...ms].map(([part, value]) => ({ part, us: (value * 1000) / calls })).sort((a, b) => b.us - a.us),
  };
}

/** Per concurrency, the environments against in-process: reported, not judged (the issue sets no target). */
export function isolationComparisons(rows: readonly IsolationRow[]): Comparison[] {
  const out: Comparison[] = [];
  for (const inFlight of [...new Set(rows.map((r) => r.inFlight))].sort((a, b) => a - b)) {
    const ours = rows.find((r) => r.mode === 'environments' && r.inFlight === inFlight);
    const base = rows.find((r) => r.mode === 'in-process' && r.inFlight === inFlight);
    if (!ours || !base) continue;
    const calls = inFlight === 1 ? 'one call at a time' : `${inFlight} calls in flight`;
    out.push(
      { measure: `file(id) handler calls/s, ${calls}, environments vs in-process`, ours: fmtInt(ours.callsPerSec), reference: `in-process ${fmtInt(base.callsPerSec)}`, ratio: ratioOf(ours.callsPerSec, base.callsPerSec), target: '-', met: undefined },
      { measure: `file(id) handler CPU µs per call, ${calls}, environments vs in-process`, ours: fmtInt(totalUs(ours)), reference: `in-process ${fmtInt(totalUs(base))}`, ratio: ratioOf(totalUs(ours), totalUs(base)), target: '-', met: undefined },
    );
  }
  return out;
}

/** The data section's evidence: the same handler both ways at the stack's concurrency. */
export function isolationEvidence(rows: readonly IsolationRow[]): string | undefined {
  const most = Math.max(...rows.map((r) => r.inFlight));
  const env = rows.find((r) => r.mode === 'environments' && r.inFlight === most);
  const own = rows.find((r) => r.mode === 'in-process' && r.inFlight === most);
  if (!env || !own) return undefined;
  const one = (mode: HandlerMode) => rows.find((r) => r.mode === mode && r.inFlight === 1);
  const [envOne, ownOne] = [one('environments'), one('in-process')];
  const single = envOne && ownOne && most !== 1 ? ` One call at a time: ${fmtInt(envOne.callsPerSec)} and ${fmtInt(ownOne.callsPerSec)} calls/s, ${fmtInt(totalUs(envOne))} and ${fmtInt(totalUs(ownOne))} µs per call.` : '';
  return (
    `Execution environments (the isolation section): the files handler alone, with no HTTP, auth or GraphQL, made ${fmtInt(env.callsPerSec)} calls/s in ${most} environments ` +
    `against ${fmtInt(own.callsPerSec)} in-process at ${most} in flight (${(ratioOf(env.callsPerSec, own.callsPerSec) ?? Number.NaN).toFixed(2)}x), ` +
    `at ${fmtInt(totalUs(env))} µs of CPU per call against ${fmtInt(totalUs(own))} (DynamoDB Local's own CPU aside).${single}`
  );
}

export async function runIsolation(ctx: BenchContext): Promise<SectionReport> {
  const { durationS, warmupS, runs, inFlight } = ctx.options.isolation;
  const stack = await ctx.localStack();
  const { topology } = await app();
  const fn = functionForField(topology, 'Query', 'file');
  const { token, sub } = await userPoolToken(stack.info, 'bench-isolation');
  const [id = ''] = await seedFiles(stack.info.graphqlUrl, token, 1);
  const env = await stackFunctionEnvironment(stack.info.statsUrl, fn.logicalId);
  const bundle = await bundleForInProcess(fn);
  const target = await startTarget<{ runUrl: string }>('bench/targets/handler-load.ts', {
    args: ['--bundle', bundle, '--handler', fn.handlerName, '--function', fn.logicalId, '--entry', fn.entry, '--memory', String(fn.memoryMb)],
    env,
  });
  // The direct Lambda resolver's event for `file(id)` as the stack builds it for a user-pool caller.
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const event = {
    arguments: { id },
    identity: { sub, username: sub, claims, issuer: String(claims['iss'] ?? ''), defaultAuthStrategy: 'ALLOW', sourceIp: ['127.0.0.1'], groups: null },
    source: null,
    request: { headers: { 'content-type': 'application/json', authorization: token }, domainName: null },
    info: { fieldName: 'file', parentTypeName: 'Query', variables: { id }, selectionSetList: ['id', 'owner', 'status'], selectionSetGraphQL: '{\n  id\n  owner\n  status\n}' },
    prev: null,
    stash: {},
  };
  const functionThreads = new Set([threadNameOf(fn.entry)]);
  const call = async (mode: HandlerMode, concurrency: number, seconds: number): Promise<HandlerRunResult> => {
    const body: HandlerRunRequest = { mode, event, expectId: id, concurrency, durationS: seconds };
    const response = await fetch(target.info.runUrl, { method: 'POST', body: JSON.stringify(body) });
    if (response.status !== 200) throw new Error(`handler load: ${response.status} ${await response.text()}`);
    return (await response.json()) as HandlerRunResult;
  };
  const modes: readonly HandlerMode[] = ['in-process', 'environments'];
  const measured = new Map<string, IsolationRun[]>();
  try {
    ctx.log(`Isolation: the files handler in-process and in execution environments, ${inFlight.join(' and ')} in flight`);
    for (const n of inFlight) for (const mode of modes) await call(mode, n, warmupS);
    for (let round = 0; round < runs; round += 1) {
      for (const n of inFlight) {
        for (const mode of modes) {
          const sampler = await sampleTree(target.pid);
          const result = await call(mode, n, durationS);
          const parts = stackParts(await sampler.stop(), functionThreads, PART_NAMES);
          const key = `${mode}|${n}`;
          measured.set(key, [...(measured.get(key) ?? []), { result, parts }]);
          ctx.log(`  ${mode}, ${n} in flight, round ${round + 1}/${runs}: ${fmtInt(result.calls / result.seconds)} calls/s, ${result.errors} errors`);
        }
      }
    }
  } finally {
    await target.stop();
  }
  const rows = [...measured].map(([key, list]) => {
    const [mode, n] = key.split('|') as [HandlerMode, string];
    return isolationRow(mode, Number(n), list);
  });
  const evidence = isolationEvidence(rows);
  const details = renderTemplate('isolation', {
    durationS,
    warmupS,
    runs,
    inFlight: inFlight.join(' and '),
    table: markdownTable(
      ['how it runs', 'in flight', 'calls/s', 'errors', 'calls', 'CPU µs per call'],
      rows.map((r) => [MODE_LABEL[r.mode], String(r.inFlight), fmtInt(r.callsPerSec), fmtInt(r.errors), fmtInt(r.calls), fmtInt(totalUs(r))]),
    ),
    cpuTable: markdownTable(
      ['how it runs', 'in flight', 'where', 'CPU µs per call'],
      rows.flatMap((r) => r.cpuUsPerCall.filter((p) => p.us >= 1).map((p) => [MODE_LABEL[r.mode], String(r.inFlight), p.part, fmtInt(p.us)])),
    ),
  });
  return {
    name: 'isolation',
    title: 'Execution environments',
    comparisons: isolationComparisons(rows),
    details,
    ...(evidence === undefined ? {} : { evidence: new Map([['data', evidence]]) }),
    figures: { rows },
  };
}
