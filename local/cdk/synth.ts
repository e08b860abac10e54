import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
}

export class SynthError extends Error {
  override readonly name = 'SynthError';
}

/**
 * Synthesizes the CDK app in a child process and returns its stack template. Bundling is
 * skipped (context `aws:cdk:bundling-stacks: []`): the local stack builds each function from
 * the source entry the template names, so synthesis stays fast and needs no asset.
 */
export async function synthesize(options: SynthOptions): Promise<CfnTemplate> {
  const context = { 'aws:cdk:bundling-stacks': [], ...options.context };
  try {
    await run(process.execPath, ['--import', 'tsx', options.appEntry ?? 'infra/app.ts'], {
      cwd: options.projectDir,
      env: {
        ...process.env,
        CDK_OUTDIR: options.outDir,
        CDK_CONTEXT_JSON: JSON.stringify(context),
      },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new SynthError(`CDK synthesis failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
  return readStackTemplate(options.outDir);
}

/** The one stack template in a cloud assembly. */
export async function readStackTemplate(outDir: string): Promise<CfnTemplate> {
  const templates = (await readdir(outDir)).filter((name) => name.endsWith('.template.json'));
  const [first, ...rest] = templates;
  if (first === undefined) throw new SynthError(`No stack template in ${outDir}`);
  if (rest.length > 0) {
    throw new SynthError(`The local stack runs one stack; ${outDir} holds ${templates.join(', ')}`);
  }
  return JSON.parse(await readFile(join(outDir, first), 'utf8')) as CfnTemplate;
}
