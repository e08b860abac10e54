/**
 * The template's functions as local execution environments, whatever construct made them
 * (local/cdk/functions.ts): a source entry is bundled with esbuild (and reloads on edit); a
 * staged asset (NodejsFunction's bundle, `Code.fromAsset`) is copied out of the assembly and run
 * as staged; inline code (`Code.fromInline`) is written as Lambda writes it, `index.js`. A
 * function the stack cannot run (another runtime, a container image) answers every invocation
 * with an error naming it and why.
 */
import { cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionSpec, SkippedFunction } from '../cdk/functions.js';
import { type FaultConfig, parseFaultConfig } from '../faults/rules.js';
import { FunctionError, type LocalFunctionOptions, LocalFunction, buildWorkerEntry } from './local-function.js';

export interface BuildFunctionsOptions {
  readonly functions: Iterable<FunctionSpec>;
  readonly skipped: readonly SkippedFunction[];
  readonly projectDir: string;
  /** Inside the project, so that bundles resolve their external packages from its node_modules. */
  readonly buildDir: string;
  readonly arnOf: (logicalId: string) => string;
  readonly environmentOf: (logicalId: string) => Record<string, string>;
  readonly onOutput?: (text: string) => void;
  /** Faults every function's environments apply around its handler (local/faults/host.ts): tests only. */
  readonly faults?: FaultConfig;
}

/** A function of the template the stack does not run: each invocation fails saying why. */
export class UnrunnableFunction extends LocalFunction {
  constructor(
    private readonly skipped: SkippedFunction,
    options: LocalFunctionOptions,
  ) {
    super(options);
  }

  override async build(): Promise<void> {}
  override async reload(): Promise<void> {}
  override async warm(): Promise<void> {}
  override async stop(): Promise<void> {}

  override async invoke(): Promise<unknown> {
    throw new FunctionError(this.name, {
      errorType: 'UnsupportedRuntime',
      errorMessage: `${this.skipped.logicalId} is not run by the local stack: ${this.skipped.reason}`,
      trace: [],
    });
  }
}

const exists = (path: string) => stat(path).then((s) => s.isFile(), () => false);

/** Lambda's Node.js runtime tries these extensions for the handler's module, in this order. */
const HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs'];

/** The handler module of `fn` as a file to import, laid out as Lambda lays out its code. */
async function moduleFile(fn: FunctionSpec, dir: string): Promise<string | undefined> {
  switch (fn.code.kind) {
    case 'source':
      return undefined;
    case 'inline': {
      await mkdir(dir, { recursive: true });
      // A package.json of its own: the code is CommonJS unless its syntax says otherwise, as on
      // Lambda, whatever package.json the local stack's folder has.
      await writeFile(join(dir, 'package.json'), '{}\n');
      await writeFile(join(dir, 'index.js'), fn.code.code);
      return join(dir, 'index.js');
    }
    case 'asset': {
      await rm(dir, { recursive: true, force: true });
      await cp(fn.code.dir, dir, { recursive: true });
      // Lambda puts each layer's nodejs/node_modules on the module path; the function's own win.
      for (const layer of fn.code.layers ?? []) {
        const modules = join(layer, 'nodejs', 'node_modules');
        if (await stat(modules).then((s) => s.isDirectory(), () => false)) {
          await cp(modules, join(dir, 'node_modules'), { recursive: true, force: false, errorOnExist: false });
        }
      }
      if (!(await exists(join(dir, 'package.json')))) await writeFile(join(dir, 'package.json'), '{}\n');
      for (const extension of HANDLER_EXTENSIONS) {
        const file = join(dir, `${fn.code.module}${extension}`);
        if (await exists(file)) return file;
      }
      throw new Error(`${fn.logicalId}: its asset has no ${fn.code.module}.js, .mjs or .cjs for its handler (${fn.code.dir})`);
    }
  }
}

export async function buildFunctions(options: BuildFunctionsOptions): Promise<Map<string, LocalFunction>> {
  // A rule the workers could not apply fails the start, not every invocation.
  const faults = options.faults === undefined ? undefined : parseFaultConfig(options.faults);
  const workerPath = await buildWorkerEntry(options.buildDir);
  const functions = new Map<string, LocalFunction>();
  const common = (logicalId: string) => ({
    name: logicalId,
    arn: options.arnOf(logicalId),
    buildDir: options.buildDir,
    workerPath,
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
  const unrunnable = (skipped: SkippedFunction) =>
    new UnrunnableFunction(skipped, {
      ...common(skipped.logicalId),
      entryPath: '',
      entry: skipped.logicalId,
      handlerName: 'handler',
      timeoutSeconds: 1,
      memoryMb: 128,
      environment: {},
    });
  await Promise.all(
    [...options.functions].map(async (fn) => {
      let file: string | undefined;
      try {
        file = await moduleFile(fn, join(options.buildDir, fn.logicalId, 'code'));
      } catch (error) {
        // One function whose code cannot be laid out (a zip asset, no handler file) does not stop the rest.
        const reason = error instanceof Error ? error.message : String(error);
        options.onOutput?.(`${fn.logicalId} is not run: ${reason}\n`);
        functions.set(fn.logicalId, unrunnable({ logicalId: fn.logicalId, runtime: fn.runtime, reason, deployTime: false }));
        return;
      }
      functions.set(
        fn.logicalId,
        new LocalFunction({
          ...common(fn.logicalId),
          entryPath: file ?? join(options.projectDir, fn.entry),
          entry: fn.entry,
          handlerName: fn.handlerName,
          timeoutSeconds: fn.timeoutSeconds,
          memoryMb: fn.memoryMb,
          environment: options.environmentOf(fn.logicalId),
          ...(file ? { asIs: true } : {}),
          ...(faults === undefined ? {} : { faults }),
        }),
      );
    }),
  );
  for (const skipped of options.skipped.filter((s) => !s.deployTime)) functions.set(skipped.logicalId, unrunnable(skipped));
  await Promise.all([...functions.values()].map((fn) => fn.build()));
  return functions;
}
