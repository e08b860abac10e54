/**
 * A restart reuses the template the last synthesis wrote when nothing it is made of has changed:
 * the synthesis is about 3 s of CPU, on a machine whose two cores also start DynamoDB Local and
 * load the stack at that moment.
 *
 * What it is made of: the files under cdk.json's `watch.include` (the project's own statement of
 * what the CDK app is built from, the same paths hot reload watches), the package manifests and
 * lock file (the CDK library's version), tsconfig.json, cdk.json, the context, the `CDK_*`
 * environment and the Node version. They are hashed, content and paths, before each synthesis;
 * a start whose hash matches, within a day (the API key's expiry is computed at synthesis), reads
 * the template from disk. Only the project's own app is cached, never a test fixture's (those
 * read files from wherever their context says).
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type SynthOptions, readStackTemplate, synthesize } from '../cdk/synth.js';
import type { CfnTemplate } from '../cdk/template.js';

const MAX_AGE_MS = 24 * 60 * 60 * 1000;
const FIXED_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'cdk.json'];
const SKIPPED = new Set(['node_modules', 'cdk.out', '.local', '.git']);

interface StoredKey {
  readonly key: string;
  readonly at: number;
}

/** What cdk.json says the CDK app is made of (its `watch.include`), as directories. */
export async function watchedPaths(projectDir: string): Promise<string[]> {
  try {
    const cdk = JSON.parse(await readFile(join(projectDir, 'cdk.json'), 'utf8')) as { watch?: { include?: string[] } };
    return (cdk.watch?.include ?? []).map((glob) => glob.split('*')[0]?.replace(/\/$/, '') || '.');
  } catch {
    return [];
  }
}

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(
    entries.filter((e) => !SKIPPED.has(e.name) && (e.isDirectory() || e.isFile())).map((e) => filesUnder(join(path, e.name))),
  );
  return nested.flat();
}

/** The hash of the synthesis's inputs, or undefined when cdk.json does not say what they are. */
export async function synthInputsKey(options: SynthOptions): Promise<string | undefined> {
  const watched = await watchedPaths(options.projectDir);
  if (watched.length === 0) return undefined;
  const roots = [...new Set([...watched, ...FIXED_INPUTS])].map((p) => join(options.projectDir, p));
  const files = [...new Set((await Promise.all(roots.map(filesUnder))).flat())].sort();
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ node: process.version, context: options.context ?? {}, app: options.appEntry ?? null }));
  for (const [name, value] of Object.entries(process.env).sort(([a], [b]) => a.localeCompare(b))) {
    if (name.startsWith('CDK_') && name !== 'CDK_OUTDIR' && name !== 'CDK_CONTEXT_JSON') hash.update(`${name}=${value ?? ''}\0`);
  }
  for (const file of files) {
    hash.update(`${relative(options.projectDir, file)}\0`);
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

const keyPath = (options: SynthOptions) => `${options.outDir}.key.json`;

async function storedKey(options: SynthOptions): Promise<StoredKey | undefined> {
  try {
    return JSON.parse(await readFile(keyPath(options), 'utf8')) as StoredKey;
  } catch {
    return undefined;
  }
}

/**
 * Synthesizes, or reuses the last template when its inputs are unchanged (`cache`). Whatever
 * goes wrong with the cache, the answer is a fresh synthesis.
 */
export async function synthesizeOrReuse(options: SynthOptions, cache: boolean): Promise<{ template: CfnTemplate; reused: boolean }> {
  const key = cache ? await synthInputsKey(options).catch(() => undefined) : undefined;
  if (key !== undefined) {
    const stored = await storedKey(options);
    if (stored?.key === key && Date.now() - stored.at < MAX_AGE_MS) {
      const template = await readStackTemplate(options.outDir).catch(() => undefined);
      if (template) return { template, reused: true };
    }
  }
  return { template: await resynthesize(options, key), reused: false };
}

/**
 * A synthesis that records its inputs' key (hashed before it ran, so an edit during it makes the
 * next start synthesize again). The old key goes first: a synthesis that fails leaves none.
 */
export async function resynthesize(options: SynthOptions, key?: string): Promise<CfnTemplate> {
  await rm(keyPath(options), { force: true });
  const template = await synthesize(options);
  if (key !== undefined) await writeFile(keyPath(options), `${JSON.stringify({ key, at: Date.now() } satisfies StoredKey)}\n`);
  return template;
}
