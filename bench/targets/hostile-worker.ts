/**
 * One hostile document against one engine, in a fresh process so that its time and peak memory
 * are its own: `--engine local` is the local stack's engine (local/graphql/engine.ts) built from
 * the synthesized template, with functions answered by a stub; `--engine bare` is graphql-js's
 * `graphql()` over the same schema. Prints one JSON line. With `--profile FILE`, the measured
 * loop (only) runs under the V8 sampling profiler and its profile is written to FILE, with the
 * loop's window on the profile clock in the JSON line.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GraphQLObjectType, buildSchema, graphql } from 'graphql';
import { readStackTemplate } from '../../local/cdk/synth.js';
import { readTopology } from '../../local/cdk/topology.js';
import { AppSyncEngine } from '../../local/graphql-adapters/engine.js';
import { type HostileKind, hostileDocument } from '../lib/hostile-docs.js';
import { profileClockUs } from '../lib/cpuprofile.js';
import { PROJECT_DIR } from '../lib/paths.js';

const { values } = parseArgs({
  options: {
    engine: { type: 'string' },
    kind: { type: 'string' },
    size: { type: 'string' },
    reps: { type: 'string', default: '3' },
    'budget-ms': { type: 'string', default: '5000' },
    template: { type: 'string' },
    profile: { type: 'string' },
  },
});
const kind = values.kind as HostileKind;
const size = Number(values.size);
const reps = Number(values.reps);
const budgetMs = Number(values['budget-ms']);
const POLICY = { contentTypes: ['image/jpeg'], maxBytes: 1, ticketTtlSeconds: 1 };
const builtins = await readFile(join(PROJECT_DIR, 'schema', 'appsync.graphql'), 'utf8');

type Run = (query: string) => Promise<{ data?: unknown; errors?: readonly { message: string }[] }>;
let run: Run;
if (values.engine === 'local') {
  if (!values.template) throw new Error('--template is required for the local engine');
  const topology = readTopology(await readStackTemplate(values.template));
  const engine = new AppSyncEngine({ api: topology.apis[0], builtins, invokeFunction: () => Promise.resolve(POLICY) });
  const caller = { mode: 'API_KEY', identity: null } as const;
  run = (query) => engine.execute({ query, variables: null, operationName: null }, { caller, headers: {} }) as ReturnType<Run>;
} else {
  const schema = buildSchema(`${builtins}\n${await readFile(join(PROJECT_DIR, 'schema', 'schema.graphql'), 'utf8')}`);
  const query = schema.getQueryType() as GraphQLObjectType;
  const field = query.getFields()['uploadPolicy'];
  if (field) field.resolve = () => POLICY;
  run = (source) => graphql({ schema, source }) as ReturnType<Run>;
}

// Warm up on a benign document, so that the first hostile run does not pay for JIT and caches,
// and on the measuring calls themselves: their first use loads Node internals (perf_hooks), a
// cost that would otherwise land in the first measured run.
for (let i = 0; i < 50; i += 1) {
  const started = performance.now();
  await run(`# warm ${i}\nquery { uploadPolicy { maxBytes } }`);
  void (performance.now() - started + process.memoryUsage().heapUsed);
}
// Through JSON, as the HTTP handler receives a document: one flat string, not the concatenation
// the generator builds (whose first read would flatten it, a cost no request pays).
const documents = Array.from({ length: reps }, (_, i) => JSON.parse(JSON.stringify(hostileDocument(kind, size, `rep ${i}`))) as string);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
gc();
// The process's peak so far (start-up, building the engine) is the baseline: only a document
// that needs more than that raises it. The heap used right after a call, over the collected
// heap before it, shows what the call allocated even when it stays under that peak.
const peakBeforeKiB = process.resourceUsage().maxRSS;
const times: number[] = [];
let heapKiB = 0;
let outcome = '';
let rejected = false;
let session: Session | undefined;
if (values.profile) {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // Rejections take about a millisecond: sample every 100 µs rather than V8's default 1 ms.
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
}
const window = { startUs: profileClockUs(), endUs: 0 };
const budgetStart = performance.now();
for (const document of documents) {
  // Under the profiler, collections would fall inside the profiled loop: the heap figure is the
  // measuring run's, not this one's.
  if (!session) gc();
  const heapBefore = session ? 0 : process.memoryUsage().heapUsed;
  const started = performance.now();
  let result: Awaited<ReturnType<Run>>;
  try {
    result = await run(document);
  } catch (error) {
    result = { errors: [{ message: `threw ${error instanceof Error ? error.name : 'error'}: ${String(error)}` }] };
  }
  times.push(performance.now() - started);
  if (!session) heapKiB = Math.max(heapKiB, (process.memoryUsage().heapUsed - heapBefore) / 1024);
  const errors = result.errors ?? [];
  rejected = errors.length > 0 && (result.data === null || result.data === undefined);
  outcome = rejected ? (errors[0]?.message ?? '') : errors.length > 0 ? `executed with ${errors.length} errors` : 'executed';
  if (performance.now() - budgetStart > budgetMs) break;
}
window.endUs = profileClockUs();
if (session && values.profile) {
  const { profile } = await session.post('Profiler.stop');
  await writeFile(values.profile, JSON.stringify(profile));
  session.disconnect();
}
console.log(
  JSON.stringify({
    times,
    rejected,
    outcome: outcome.slice(0, 120),
    documentBytes: Buffer.byteLength(documents[0] ?? ''),
    peakGrowthKiB: process.resourceUsage().maxRSS - peakBeforeKiB,
    heapKiB,
    window,
  }),
);
