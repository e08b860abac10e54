/**
 * 4. Cold start: every function of the template bundled as NodejsFunction bundles it (with the
 * bundling options of infra/constructs/service-function.ts: minified ESM, createRequire banner,
 * the AWS SDK bundled, sharp external for the functions that use it), its size, and the time a
 * fresh Node process takes to load it and find its handler; against an empty module and a bare
 * DynamoDB client bundle. When a function's init is short of its target, its init is profiled.
 */
import { spawn } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { bundlingOptions } from '../../infra/constructs/service-function.js';
import type { BenchContext } from '../lib/context.js';
import { app, inProcessEnvironment } from '../lib/app.js';
import { type InitProfile, type Share, bundleComposition, profileInit } from '../lib/coldstart-profile.js';
import { CACHE_DIR, PROJECT_DIR } from '../lib/paths.js';
import { type Comparison, type SectionReport, fmtBytes, fmtMs, markdownTable } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { renderTemplate } from '../lib/template.js';

const DIR = join(CACHE_DIR, 'coldstart');
/** The banner NodejsFunction is given in service-function.ts, so CommonJS dependencies can `require`. */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * What the Lambda runtime sets in every execution environment and the code can see: Powertools
 * Tracer traces only where AWS_EXECUTION_ENV says Lambda, and the X-Ray SDK takes its Lambda
 * set-up from LAMBDA_TASK_ROOT. With them the pipeline's tracer initialises as it does on AWS.
 */
const lambdaEnvironment = (taskRoot: string): Record<string, string> => ({
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  LAMBDA_TASK_ROOT: taskRoot,
});

interface Bundle {
  readonly name: string;
  readonly kind: 'function' | 'sharp function' | 'reference';
  readonly path: string;
  readonly handlerName: string;
  readonly bytes: number;
  readonly env: Readonly<Record<string, string>>;
  /** Bytes of the bundle per package, largest first. */
  readonly composition: readonly Share[];
}

interface Timing extends Bundle {
  readonly wallMs: number;
  readonly wallMapsMs: number;
  readonly importMs: number;
  /** CPU time of the import (every thread of the process): less swayed by other processes than wall time. */
  readonly importCpuMs: number;
  readonly error: string | undefined;
}

/**
 * The functions' bundling options, sharp external as for a function that needs it (a function
 * that does not import sharp bundles the same either way).
 */
const FUNCTION_BUNDLING = bundlingOptions(true);
const FUNCTION_EXTERNALS = [...FUNCTION_BUNDLING.externalModules, ...FUNCTION_BUNDLING.nodeModules];

async function bundle(
  name: string,
  entry: string,
  options: { external: readonly string[]; detectSharp: boolean; alias?: Readonly<Record<string, string>> },
): Promise<{ path: string; bytes: number; usesSharp: boolean; composition: Share[] }> {
  const outdir = join(DIR, name);
  await mkdir(outdir, { recursive: true });
  const outfile = join(outdir, 'index.mjs');
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    sourcesContent: FUNCTION_BUNDLING.sourcesContent ?? true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: [...options.external],
    alias: { ...options.alias },
    metafile: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
  const usesSharp = options.detectSharp && imports.some((i) => i.external && (i.path === 'sharp' || i.path.startsWith('sharp/')));
  return { path: outfile, bytes: (await stat(outfile)).size, usesSharp, composition: bundleComposition(result.metafile) };
}

/** Only what a Lambda environment would have: no tsx loader, no NODE_OPTIONS of the harness. */
const processEnvironment = (item: Bundle): Record<string, string> => ({
  PATH: process.env['PATH'] ?? '',
  TZ: 'UTC',
  ...item.env,
});

/** A fresh process that imports the bundle and checks the handler export; wall time and import time. */
function timeOnce(item: Bundle, sourceMaps: boolean): Promise<{ wallMs: number; importMs: number; importCpuMs: number; error: string | undefined }> {
  const loader = join(DIR, 'load.mjs');
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), loader, item.path, item.handlerName], {
      cwd: DIR,
      env: processEnvironment(item),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    child.once('exit', (code) => {
      const wallMs = performance.now() - started;
      const line = out.split('\n').find((l) => l.startsWith('{"importMs"'));
      const { importMs, cpuMs } = line ? (JSON.parse(line) as { importMs: number; cpuMs: number }) : { importMs: Number.NaN, cpuMs: Number.NaN };
      resolve({ wallMs, importMs, importCpuMs: cpuMs, error: code === 0 ? undefined : (err.trim().split('\n').find((l) => /Error/.test(l)) ?? `exit ${code}`) });
    });
  });
}

export async function runColdStart(ctx: BenchContext): Promise<SectionReport> {
  const { topology } = await app();
  await mkdir(DIR, { recursive: true });
  await writeFile(
    join(DIR, 'load.mjs'),
    [
      'const started = performance.now();',
      'const cpu = process.cpuUsage();',
      'const module = await import(new URL(process.argv[2], "file://").href);',
      'const used = process.cpuUsage(cpu);',
      'if (typeof module[process.argv[3]] !== "function") { console.error(`Error: no export ${process.argv[3]}`); process.exit(2); }',
      'console.log(JSON.stringify({ importMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 }));',
    ].join('\n'),
  );
  await writeFile(join(DIR, 'empty.mjs'), 'export const handler = async () => null;\n');
  await writeFile(
    join(DIR, 'ddb.mjs'),
    [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
      'const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
      'export const handler = async () => client.config.region;',
    ].join('\n'),
  );

  ctx.log(`Cold start: bundling ${topology.functions.size} functions`);
  const bundles: Bundle[] = [];
  const refEnv = (path: string) => ({ AWS_REGION: 'us-east-1', ...lambdaEnvironment(dirname(path)) });
  const reference = async (name: string, dir: string, file: string, external: string[]) => {
    const built = await bundle(dir, join(DIR, file), { external, detectSharp: false });
    bundles.push({ name, kind: 'reference', path: built.path, handlerName: 'handler', bytes: built.bytes, env: refEnv(built.path), composition: built.composition });
  };
  await reference('empty module', '_empty', 'empty.mjs', []);
  await reference('DynamoDB client, bundled', '_ddb', 'ddb.mjs', []);
  await reference('DynamoDB client, SDK external', '_ddb-external', 'ddb.mjs', ['@aws-sdk/*']);
  for (const fn of topology.functions.values()) {
    const built = await bundle(fn.logicalId, join(PROJECT_DIR, fn.entry), { external: FUNCTION_EXTERNALS, detectSharp: true, alias: FUNCTION_BUNDLING.alias });
    const env = { ...inProcessEnvironment(fn), ...lambdaEnvironment(dirname(built.path)) };
    bundles.push({
      name: fn.entry,
      kind: built.usesSharp ? 'sharp function' : 'function',
      path: built.path,
      handlerName: fn.handlerName,
      bytes: built.bytes,
      env,
      composition: built.composition,
    });
  }

  // Interleaved, so a change in the machine's load touches every bundle alike.
  const samples = new Map<Bundle, { wall: number[]; maps: number[]; imports: number[]; cpu: number[]; error: string | undefined }>();
  for (const b of bundles) samples.set(b, { wall: [], maps: [], imports: [], cpu: [], error: undefined });
  for (let run = 0; run < ctx.options.coldstart.runs; run += 1) {
    for (const b of bundles) {
      const s = samples.get(b)!;
      const plain = await timeOnce(b, false);
      s.wall.push(plain.wallMs);
      s.imports.push(plain.importMs);
      s.cpu.push(plain.importCpuMs);
      s.error ??= plain.error;
      if (run < ctx.options.coldstart.mapRuns) s.maps.push((await timeOnce(b, true)).wallMs);
    }
  }
  const timings: Timing[] = bundles.map((b) => {
    const s = samples.get(b)!;
    return { ...b, wallMs: median(s.wall), wallMapsMs: median(s.maps), importMs: median(s.imports), importCpuMs: median(s.cpu), error: s.error };
  });
  return coldStartReport(ctx, timings, await profileShortfall(ctx, timings));
}

interface Profiled {
  readonly bundle: Timing;
  readonly profile: InitProfile;
}

/**
 * When the slowest non-sharp function is short of its target: profiles of it, of the one that
 * costs the most CPU if that is another and short too, and of the DynamoDB bundle to compare.
 */
async function profileShortfall(ctx: BenchContext, timings: readonly Timing[]): Promise<Profiled[]> {
  const ddb = timings.find((t) => t.name === DDB_BUNDLED);
  const worst = slowestFunction(timings);
  if (!ddb || !worst || (worst.error === undefined && worst.importMs / ddb.importMs <= TARGET_RATIO)) return [];
  const cpuWorst = costliestFunction(timings);
  const subjects = [worst, ...(cpuWorst && cpuWorst !== worst && cpuWorst.importCpuMs / ddb.importCpuMs > TARGET_RATIO ? [cpuWorst] : []), ddb];
  ctx.log(`Cold start: profiling the init of ${subjects.map((t) => t.name).join(', ')}`);
  const profiled: Profiled[] = [];
  for (const t of subjects) {
    const profile = await profileInit({
      loader: join(DIR, 'load.mjs'),
      bundle: t.path,
      handlerName: t.handlerName,
      env: processEnvironment(t),
      dir: join(DIR, 'profiles', t.name.replace(/[^\w.-]+/g, '_')),
      runs: PROFILE_RUNS,
      top: 8,
    });
    profiled.push({ bundle: t, profile });
  }
  return profiled;
}

const DDB_BUNDLED = 'DynamoDB client, bundled';
const TARGET_RATIO = 1.5;
const PROFILE_RUNS = 3;

const slowestFunction = (timings: readonly Timing[]) =>
  timings.filter((t) => t.kind === 'function').reduce<Timing | undefined>((w, t) => (w === undefined || t.importMs > w.importMs ? t : w), undefined);
const costliestFunction = (timings: readonly Timing[]) =>
  timings.filter((t) => t.kind === 'function').reduce<Timing | undefined>((w, t) => (w === undefined || t.importCpuMs > w.importCpuMs ? t : w), undefined);

const shares = (items: readonly Share[], unit: (ms: number) => string, count: number) =>
  items
    .slice(0, count)
    .map((s) => `${s.name} ${unit(s.ms)}`)
    .join(', ');
const kib = (bytes: number) => fmtBytes(bytes);
const ms = (value: number) => `${fmtMs(value)} ms`;

/**
 * How far the wall figures can be trusted in this run: the CPU ratio of every function to the
 * DynamoDB bundle (what the code costs), and the spread of the wall ratio among bundles of the
 * same size (the saga's functions differ by a few lines), which is the machine's load.
 */
function spreadEvidence(timings: readonly Timing[], ddb: Timing): string {
  const functions = timings.filter((t) => t.kind === 'function');
  const cpuWorst = costliestFunction(timings);
  const bySize = new Map<number, Timing[]>();
  for (const t of functions) {
    const kibs = Math.round(t.bytes / 1024);
    bySize.set(kibs, [...(bySize.get(kibs) ?? []), t]);
  }
  const twins = [...bySize.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const ratios = twins.map((t) => t.importMs / ddb.importMs);
  const twinsText =
    twins.length > 1
      ? ` The ${twins.length} functions of ${fmtBytes(twins[0]?.bytes ?? 0)} range from ${Math.min(...ratios).toFixed(2)}x to ${Math.max(...ratios).toFixed(2)}x in wall time: bundles that differ by a few lines of code, so that spread is mostly the machine's load.`
      : '';
  return (
    `In CPU time of the import, the most expensive non-sharp function is ${cpuWorst?.name ?? 'n/a'} at ${cpuWorst ? fmtMs(cpuWorst.importCpuMs) : 'n/a'} ms, ` +
    `${cpuWorst ? (cpuWorst.importCpuMs / ddb.importCpuMs).toFixed(2) : 'n/a'}x the DynamoDB bundle's ${fmtMs(ddb.importCpuMs)} ms.${twinsText}`
  );
}

/** One paragraph: what the profiled init spent its time on, and what its bundle is made of. */
function profileEvidence({ bundle, profile }: Profiled): string {
  return (
    `${bundle.name} (${fmtBytes(bundle.bytes)}, init ${fmtMs(bundle.importMs)} ms, ${fmtMs(bundle.importCpuMs)} ms of CPU, in the timed runs): ` +
    `under \`--cpu-prof\` (mean of ${profile.profiles}) the process samples ${fmtMs(profile.totalMs)} ms, of which V8 compiling the bundle ${fmtMs(profile.compileMs)} ms; ` +
    `self time by area ${shares(profile.areas, ms, 6)}; top frames ${shares(profile.frames, ms, 5)}; ` +
    `largest packages in the bundle ${shares(bundle.composition, kib, 6)}.`
  );
}

function coldStartReport(ctx: BenchContext, timings: readonly Timing[], profiled: readonly Profiled[]): SectionReport {
  const find = (name: string) => timings.find((t) => t.name === name);
  const ddb = find(DDB_BUNDLED);
  const ddbExternal = find('DynamoDB client, SDK external');
  // Init is the import inside the fresh process (Lambda's init phase; the runtime is up already).
  // Its wall time, node's own start-up included, is in the table too.
  const comparisons: Comparison[] = [];
  const functions = timings.filter((t) => t.kind === 'function');
  const worst = slowestFunction(timings);
  if (ddb && worst) {
    comparisons.push({
      measure: `slowest non-sharp init (${worst.name.split('/').pop()})`,
      ours: `${fmtMs(worst.importMs)} ms`,
      reference: `DynamoDB client bundle ${fmtMs(ddb.importMs)} ms`,
      ratio: worst.importMs / ddb.importMs,
      target: `<= ${TARGET_RATIO}x`,
      met: functions.every((t) => t.error === undefined && t.importMs / ddb.importMs <= TARGET_RATIO),
    });
  }
  const evidence = new Map<string, string>();
  if (profiled.length > 0) evidence.set('coldstart', [...(ddb ? [spreadEvidence(timings, ddb)] : []), ...profiled.map(profileEvidence)].join('\n- '));
  const empty = find('empty module');
  const over = (t: Timing) => t.wallMs - (empty?.wallMs ?? 0);
  const details = [
    renderTemplate('coldstart', { externals: FUNCTION_EXTERNALS.map((e) => `\`${e}\``).join(', '), runs: ctx.options.coldstart.runs, mapRuns: ctx.options.coldstart.mapRuns, nodeVersion: process.version }),
    '',
    markdownTable(
      ['bundle', 'kind', 'size', 'init ms', 'x DynamoDB bundle', 'init CPU ms', 'CPU x DynamoDB bundle', 'wall ms', 'wall over empty ms', 'wall with source maps ms', 'error'],
      timings.map((t) => [
        t.name,
        t.kind,
        fmtBytes(t.bytes),
        fmtMs(t.importMs),
        ddb && t.kind !== 'reference' ? `${(t.importMs / ddb.importMs).toFixed(2)}x` : '',
        fmtMs(t.importCpuMs),
        ddb && t.kind !== 'reference' ? `${(t.importCpuMs / ddb.importCpuMs).toFixed(2)}x` : '',
        fmtMs(t.wallMs),
        fmtMs(over(t)),
        fmtMs(t.wallMapsMs),
        t.error ?? '',
      ]),
    ),
    ...(ddbExternal && ddb
      ? ['', `The same DynamoDB client with \`@aws-sdk/*\` left external (loaded from node_modules, as the runtime-provided SDK is) takes ${fmtMs(ddbExternal.importMs)} ms against ${fmtMs(ddb.importMs)} ms bundled.`]
      : []),
    ...profiled.flatMap((p) => ['', `Init profile: ${profileEvidence(p)}`]),
  ].join('\n');
  return { name: 'coldstart', title: 'Cold start', comparisons, details, evidence };
}
