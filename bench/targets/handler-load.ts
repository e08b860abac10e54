/**
 * Target: what running a function in execution environments costs, apart from HTTP and GraphQL.
 * One process holds the same handler bundle twice: imported in-process, and run by the local
 * stack's own LocalFunction (each execution environment a worker thread, one invocation at a
 * time, as Lambda runs them). POST /run calls it with one event, `concurrency` calls in flight,
 * for `durationS`, either way; the harness samples this process's threads around each run.
 * Env: the function's own environment (its table, credentials, DynamoDB Local's endpoint), which
 * the in-process handler reads from process.env and the environments are given.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stop as stopEsbuild } from 'esbuild';
import { tuneHeapsForThroughput } from '../../local/heap-tuning.js';
import { LocalFunction, buildWorkerEntry } from '../../local/lambda/local-function.js';
import { serveRuns } from '../lib/child.js';
import { lambdaContext, loadHandler } from '../lib/lambda-context.js';
import { CACHE_DIR } from '../lib/paths.js';

export type HandlerMode = 'in-process' | 'environments';

export interface HandlerRunRequest {
  readonly mode: HandlerMode;
  readonly event: unknown;
  /** The `id` every answer must carry; another answer counts as an error. */
  readonly expectId: string;
  readonly concurrency: number;
  readonly durationS: number;
}

export interface HandlerRunResult {
  readonly calls: number;
  readonly errors: number;
  readonly seconds: number;
}

// The heaps as `npm start` sets them (before any environment starts), so that environments here
// collect garbage as the stack's do.
tuneHeapsForThroughput();

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    handler: { type: 'string' },
    function: { type: 'string' },
    entry: { type: 'string' },
    memory: { type: 'string' },
  },
});
const bundle = values.bundle ?? '';
const handlerName = values.handler ?? 'handler';
const functionName = values.function ?? 'Function';
const handler = await loadHandler(bundle, handlerName);
const workerPath = await buildWorkerEntry(join(CACHE_DIR, 'handler-load'));
// Nothing else is built here (the bundle runs as is): esbuild's service would idle in the CPU samples.
await stopEsbuild();
const environment = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));

// One LocalFunction per concurrency: its cap is fixed when it is made, as the stack's is.
const functions = new Map<number, LocalFunction>();
async function localFunction(concurrency: number): Promise<LocalFunction> {
  let fn = functions.get(concurrency);
  if (!fn) {
    fn = new LocalFunction({
      name: functionName,
      arn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
      entryPath: bundle,
      entry: values.entry ?? bundle,
      handlerName,
      timeoutSeconds: 30,
      memoryMb: Number(values.memory ?? 512),
      environment,
      buildDir: join(CACHE_DIR, 'handler-load'),
      workerPath,
      maxConcurrency: concurrency,
      asIs: true,
    });
    await fn.build();
    functions.set(concurrency, fn);
  }
  return fn;
}

async function run(request: HandlerRunRequest): Promise<HandlerRunResult> {
  const fn = request.mode === 'environments' ? await localFunction(request.concurrency) : undefined;
  const call = fn ? (event: unknown) => fn.invoke(event) : (event: unknown) => handler(event, lambdaContext(functionName));
  let calls = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + request.durationS * 1000;
  const lane = async () => {
    while (performance.now() < deadline) {
      try {
        const answer = (await call(request.event)) as { id?: unknown } | null;
        if (answer?.id !== request.expectId) errors += 1;
      } catch {
        errors += 1;
      }
      calls += 1;
    }
  };
  await Promise.all(Array.from({ length: request.concurrency }, lane));
  return { calls, errors, seconds: (performance.now() - started) / 1000 };
}

await serveRuns(run, async () => {
  await Promise.all([...functions.values()].map((fn) => fn.stop()));
});
