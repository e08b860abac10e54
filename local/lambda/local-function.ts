import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type BuildOptions, build } from 'esbuild';
import type { FaultConfig } from '../faults/rules.js';
import type { FunctionErrorPayload, InvokeMessage, WorkerData, WorkerReply } from './protocol.js';

/**
 * How the local stack bundles a function's source entry: ESM for Node 22 as Lambda's
 * `nodejs22.x` runs it, packages left to node_modules so a rebuild after an edit takes
 * milliseconds. The bench bundles with the same options so that it measures the same code.
 */
export const LOCAL_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  logLevel: 'silent',
} as const satisfies BuildOptions;

/** Execution environments one function may run at once unless its options say otherwise. */
export const DEFAULT_MAX_CONCURRENCY = 4;

/** A function invocation that failed: what Lambda reports as the function error. */
export class FunctionError extends Error {
  override readonly name = 'FunctionError';
  constructor(
    readonly functionName: string,
    readonly payload: FunctionErrorPayload,
  ) {
    super(`${functionName}: ${payload.errorType}: ${payload.errorMessage}`);
  }
}

export interface LocalFunctionOptions {
  readonly name: string;
  readonly arn: string;
  /** Absolute path of the source entry. */
  readonly entryPath: string;
  /** The entry as the template names it, for messages. */
  readonly entry: string;
  readonly handlerName: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Inside the project, so that bundles resolve their external packages from node_modules. */
  readonly buildDir: string;
  /** The worker bootstrap (see worker-entry.ts), built once for all functions. */
  readonly workerPath: string;
  /** Execution environments that may run at once; further invocations wait. */
  readonly maxConcurrency?: number;
  /** Receives what the function writes to stdout and stderr (its logs). @default the host's */
  readonly onOutput?: (text: string) => void;
  /**
   * `entryPath` is the handler module as Lambda would load it (a staged asset, NodejsFunction's
   * bundle, inline code): run as is, not bundled again. @default false (a source entry, bundled)
   */
  readonly asIs?: boolean;
  /** Faults its execution environments apply around the handler (local/faults/host.ts): tests only. */
  readonly faults?: FaultConfig;
}

/**
 * `--cpu-prof` and its directory and interval from the host's flags: each environment then
 * writes a profile of its own (CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile) when it
 * ends. `--cpu-prof-name` is left out, as every thread would overwrite the one file.
 */
const PROFILER_FLAGS: readonly string[] = (() => {
  const flags: string[] = [];
  const argv = process.execArgv;
  if (!argv.includes('--cpu-prof')) return flags;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--cpu-prof' || arg.startsWith('--cpu-prof-dir=') || arg.startsWith('--cpu-prof-interval=')) flags.push(arg);
    else if ((arg === '--cpu-prof-dir' || arg === '--cpu-prof-interval') && argv[i + 1] !== undefined) flags.push(arg, argv[(i += 1)] ?? '');
  }
  return flags;
})();

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One execution environment: a worker thread running one invocation at a time. */
class ExecutionEnvironment {
  readonly ready: Promise<void>;
  pending: Pending | undefined;
  stale = false;
  #nextId = 0;

  constructor(
    readonly worker: Worker,
    private readonly functionName: string,
    /** Which build of the function this environment runs. */
    readonly generation: number,
    onExit: (env: ExecutionEnvironment) => void,
  ) {
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        switch (reply.kind) {
          case 'ready':
            resolve();
            return;
          case 'init-error':
            this.stale = true;
            reject(new FunctionError(functionName, { ...reply.error, errorType: `Runtime.ImportModuleError` }));
            return;
          case 'result':
          case 'error': {
            const pending = this.pending;
            this.pending = undefined;
            if (!pending) return;
            clearTimeout(pending.timer);
            if (reply.kind === 'result') pending.resolve(reply.result);
            else pending.reject(new FunctionError(functionName, reply.error));
          }
        }
      });
      // A dead environment is never handed out again, whichever of `exit` and the invoker's
      // release comes first.
      worker.on('error', (error) => {
        this.stale = true;
        const payload = { errorType: 'Runtime.ExitError', errorMessage: error.message, trace: [] };
        reject(new FunctionError(functionName, payload));
        this.fail(payload);
      });
      worker.on('exit', (code) => {
        this.stale = true;
        this.fail({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with code ${code}`, trace: [] });
        onExit(this);
      });
    });
    // An init failure is reported to the invoker; keep it from surfacing as unhandled here.
    this.ready.catch(() => undefined);
  }

  invoke(event: unknown, timeoutSeconds: number): Promise<unknown> {
    const id = ++this.#nextId;
    const deadline = Date.now() + timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(
          new FunctionError(this.functionName, {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
            trace: [],
          }),
        );
        // Lambda discards an environment whose invocation timed out.
        this.stale = true;
        void this.worker.terminate();
      }, timeoutSeconds * 1000);
      this.pending = { resolve, reject, timer };
      const message: InvokeMessage = { id, requestId: randomUUID(), event, deadline };
      this.worker.postMessage(message);
    });
  }

  private fail(payload: FunctionErrorPayload): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    clearTimeout(pending.timer);
    pending.reject(new FunctionError(this.functionName, payload));
  }
}

/**
 * A Lambda function run locally from its source entry: bundled with esbuild like
 * NodejsFunction does, each execution environment a worker thread with the function's own
 * environment variables, so handlers run unchanged and in-process.
 */
export class LocalFunction {
  readonly #options: LocalFunctionOptions;
  readonly #idle: ExecutionEnvironment[] = [];
  readonly #all = new Set<ExecutionEnvironment>();
  readonly #waiting: ((env: ExecutionEnvironment) => void)[] = [];
  #bundlePath: string | undefined;
  #generation = 0;
  #builds = 0;
  #inputs: string[] = [];
  #stopped = false;

  constructor(options: LocalFunctionOptions) {
    this.#options = options;
  }

  get name(): string {
    return this.#options.name;
  }

  /** Builds the bundle. A build error throws and leaves the previous bundle in use. */
  async build(): Promise<void> {
    this.#use(await this.#bundle());
  }

  /**
   * Rebuilds after an edit and switches to the new code only once it has built and an
   * environment has initialized with it; otherwise the running version stays and the error
   * says why (a build error, or the module failing at import).
   */
  async reload(): Promise<void> {
    const built = await this.#bundle();
    const probe = this.#spawn(built.outfile);
    try {
      await probe.ready;
    } catch (error) {
      this.#retire(probe);
      throw error;
    }
    this.#use(built);
    // The probe already runs the new code: keep it as the first idle environment.
    this.#release(probe);
  }

  /** The source files the current bundle was built from (the function's own code, not packages). */
  get inputs(): readonly string[] {
    return this.#inputs;
  }

  async #bundle(): Promise<{ outfile: string; generation: number; inputs: string[] }> {
    const generation = ++this.#builds;
    if (this.#options.asIs) return { outfile: this.#options.entryPath, generation, inputs: [] };
    const dir = join(this.#options.buildDir, this.#options.name);
    await mkdir(dir, { recursive: true });
    const outfile = join(dir, `index-${generation}.mjs`);
    const result = await build({
      ...LOCAL_BUNDLE_OPTIONS,
      entryPoints: [this.#options.entryPath],
      outfile,
      sourcemap: 'inline',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs).map((input) => resolvePath(input));
    return { outfile, generation, inputs };
  }

  #use(built: { outfile: string; generation: number; inputs: string[] }): void {
    this.#bundlePath = built.outfile;
    this.#generation = built.generation;
    this.#inputs = built.inputs;
    // Environments running the previous code finish their invocation and are then replaced.
    for (const env of this.#all) if (env.generation !== built.generation) env.stale = true;
    for (const env of this.#idle.splice(0)) {
      if (env.stale) this.#retire(env);
      else this.#idle.push(env);
    }
  }

  /** Starts one environment now, so an init error shows at start-up rather than on first use. */
  async warm(): Promise<void> {
    const env = this.#spawn();
    await env.ready;
    this.#release(env);
  }

  async invoke(event: unknown): Promise<unknown> {
    const env = await this.#acquire();
    try {
      await env.ready;
      return await env.invoke(event, this.#options.timeoutSeconds);
    } finally {
      this.#release(env);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#all].map((env) => env.worker.terminate()));
    this.#all.clear();
    this.#idle.length = 0;
  }

  #acquire(): Promise<ExecutionEnvironment> {
    const idle = this.#idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.#all.size < (this.#options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY)) return Promise.resolve(this.#spawn());
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(env: ExecutionEnvironment): void {
    if (env.stale || this.#stopped) {
      this.#retire(env);
      const next = this.#waiting.shift();
      if (next) next(this.#spawn());
      return;
    }
    const next = this.#waiting.shift();
    if (next) next(env);
    else this.#idle.push(env);
  }

  #retire(env: ExecutionEnvironment): void {
    this.#all.delete(env);
    void env.worker.terminate();
  }

  #spawn(bundlePath = this.#bundlePath): ExecutionEnvironment {
    if (!bundlePath) throw new Error(`${this.#options.name} has not been built`);
    const generation = bundlePath === this.#bundlePath ? this.#generation : this.#builds;
    const workerData: WorkerData = {
      bundlePath,
      entry: this.#options.entry,
      handlerName: this.#options.handlerName,
      functionName: this.#options.name,
      functionArn: this.#options.arn,
      memoryMb: this.#options.memoryMb,
      ...(this.#options.faults === undefined ? {} : { faults: this.#options.faults }),
    };
    const worker = new Worker(this.#options.workerPath, {
      workerData,
      env: { ...this.#options.environment },
      // The host runs TypeScript through a loader; the bundles are plain JavaScript. Only the
      // profiler's flags carry over, so `node --cpu-prof` profiles the functions too.
      execArgv: [...PROFILER_FLAGS],
      resourceLimits: heapLimits(this.#options.memoryMb),
      stdout: this.#options.onOutput !== undefined,
      stderr: this.#options.onOutput !== undefined,
    });
    const onOutput = this.#options.onOutput;
    if (onOutput) {
      worker.stdout.setEncoding('utf8').on('data', onOutput);
      worker.stderr.setEncoding('utf8').on('data', onOutput);
    }
    worker.unref();
    const env = new ExecutionEnvironment(worker, this.#options.name, generation, (gone) => {
      this.#all.delete(gone);
      const index = this.#idle.indexOf(gone);
      if (index >= 0) this.#idle.splice(index, 1);
    });
    this.#all.add(env);
    return env;
  }
}

/**
 * The heap Lambda's Node.js bootstrap gives a function of `memoryMb`: a tenth of the memory for
 * the young generation (`--max-semi-space-size` = memory / 20) and the rest for the old one
 * (`--max-old-space-size` = memory - memory / 10). V8's young generation is three semi-spaces
 * (two, plus as much for new large objects).
 */
export function heapLimits(memoryMb: number): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  const newSpaceMb = Math.floor(memoryMb / 10);
  const semiSpaceMb = Math.floor(newSpaceMb / 2);
  return { maxYoungGenerationSizeMb: semiSpaceMb * 3, maxOldGenerationSizeMb: memoryMb - newSpaceMb };
}

/** Builds the worker bootstrap once; every function's environments run it. */
export async function buildWorkerEntry(buildDir: string): Promise<string> {
  await mkdir(buildDir, { recursive: true });
  const outfile = join(buildDir, '_worker.mjs');
  await build({
    entryPoints: [new URL('./worker-entry.ts', import.meta.url).pathname],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'silent',
  });
  return outfile;
}
