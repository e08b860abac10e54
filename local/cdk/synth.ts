import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { appCommand, npmPrefixWithEsbuild } from './app-command.js';
import { readAssembly } from './assembly.js';
import type { CfnTemplate } from './template.js';

const run = promisify(execFile);

export interface SynthOptions {
  /** The repository root, where cdk.json and infra/ live. */
  readonly projectDir: string;
  /** Where the cloud assembly is written. */
  readonly outDir: string;
  /** Extra CDK context (`-c key=value`). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** The CDK app's entry, relative to `projectDir`. @default 'infra/app.ts' (cdk.json's app) */
  readonly appEntry?: string;
  /**
   * A CDK app of its own folder (`--app-dir`): its cdk.json's command and context, bundling on.
   * `appEntry` is then ignored.
   */
  readonly appDir?: string;
  /** Aborting kills the synthesis (a start-up that failed elsewhere). */
  readonly signal?: AbortSignal;
}

export class SynthError extends Error {
  override readonly name = 'SynthError';
}

/** The context key that makes CDK's built-in template validation fail synthesis on an error. */
const VALIDATE_AGAINST_DEFAULT_RULES = '@aws-cdk/core:validateAgainstDefaultRules';

/**
 * Synthesizes the CDK app in a child process and returns its stack template. For the project's
 * own app bundling is skipped (context `aws:cdk:bundling-stacks: []`): its functions name their
 * source entry (`local:entry`), which the local stack bundles itself and reloads on edit. An app
 * of its own folder (`appDir`) is bundled as `cdk synth` bundles it, and its functions run from
 * the assembly's assets.
 *
 * CDK's built-in CloudFormation validation is skipped too (`CDK_VALIDATION=false`, as `cdk synth
 * --no-validation`), unless the context asks for it to fail synthesis: by default it can only
 * warn, it never changes the template, and its WebAssembly rules engine was two thirds of the
 * synthesis's CPU time (measured: 8.9 s -> 2.7 s of user time). `npm run synth` and `cdk deploy`
 * still run it.
 */
export async function synthesize(options: SynthOptions): Promise<CfnTemplate> {
  const app = options.appDir ? await appCommand(options.appDir, options.projectDir) : undefined;
  const context: Record<string, unknown> = app
    ? { ...app.context, ...options.context }
    : { 'aws:cdk:bundling-stacks': [], ...options.context };
  const validationFailsSynth = [true, 'true'].includes(context[VALIDATE_AGAINST_DEFAULT_RULES] as boolean | string);
  // Beside the assembly: the npm prefix that lets NodejsFunction's `npx --no-install esbuild` run.
  const npmPrefix = app ? await npmPrefixWithEsbuild(join(dirname(options.outDir), 'npm-prefix'), options.projectDir) : undefined;
  const [file, args] = app ? ['/bin/sh', ['-c', app.command]] : [process.execPath, ['--import', 'tsx', options.appEntry ?? 'infra/app.ts']];
  try {
    await run(file, args, {
      cwd: options.appDir ?? options.projectDir,
      env: {
        ...(validationFailsSynth ? {} : { CDK_VALIDATION: 'false' }),
        ...process.env,
        ...(app ? { PATH: app.path, NODE_PATH: app.nodePath, npm_config_prefix: npmPrefix } : {}),
        CDK_OUTDIR: options.outDir,
        CDK_CONTEXT_JSON: JSON.stringify(context),
      },
      maxBuffer: 16 * 1024 * 1024,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    const said = synthOutput(error);
    throw new SynthError(`CDK synthesis failed: ${said}${options.appDir ? installHint(said, options.appDir) : ''}`, { cause: error });
  }
  return readStackTemplate(options.outDir);
}

/**
 * What a failed synthesis said: stderr, and stdout too, where tools of an app's command write
 * their diagnostics (`tsc`'s type errors go to stdout, so `npx tsc && ...` failing had stderr
 * empty and the reason lost). Its last part only: an app may log much before it fails.
 */
export function synthOutput(error: unknown): string {
  const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
  const said = [stderr.trim(), stdout.trim()].filter(Boolean).join('\n');
  if (said === '') return String(error);
  return said.length > SYNTH_OUTPUT_CHARS ? `...${said.slice(-SYNTH_OUTPUT_CHARS)}` : said;
}

const SYNTH_OUTPUT_CHARS = 8000;

/**
 * The next step when an app's synthesis failed for want of its packages: the local stack stands
 * in for aws-cdk-lib and constructs only, and NodejsFunction needs the lock file an install
 * writes (serverless-patterns' samples ship neither node_modules nor a lock file).
 */
export function installHint(said: string, appDir: string): string {
  if (existsSync(join(appDir, 'node_modules'))) return '';
  if (!/Cannot find module|Cannot find a package lock file|ERR_MODULE_NOT_FOUND/.test(said)) return '';
  return `\n${appDir} has no node_modules: its packages are not installed. Run \`npm install\` there (or \`npm ci\` with its lock file), then start again.`;
}

/** Every stack of the cloud assembly in `outDir` as one template, its assets resolved (assembly.ts). */
export async function readStackTemplate(outDir: string): Promise<CfnTemplate> {
  try {
    return await readAssembly(outDir);
  } catch (error) {
    throw new SynthError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}
