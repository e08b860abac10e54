/**
 * 4. Cold start: every function of the template bundled as NodejsFunction bundles it
 * (infra/constructs/service-function.ts: minified ESM, createRequire banner, `@aws-sdk/*`
 * external, sharp external for the functions that use it), its size, and the time a fresh Node
 * process takes to load it and find its handler; against an empty module and a bare DynamoDB
 * client bundle.
 */
import { spawn } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BenchContext } from '../lib/context.js';
import { app, inProcessEnvironment } from '../lib/app.js';
import { CACHE_DIR, PROJECT_DIR } from '../lib/paths.js';
import { type Comparison, type SectionReport, fmtBytes, fmtMs, markdownTable } from '../lib/report.js';
import { median } from '../lib/stats.js';

const DIR = join(CACHE_DIR, 'coldstart');
/** The banner NodejsFunction is given in service-function.ts, so CommonJS dependencies can `require`. */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

interface Bundle {
  readonly name: string;
  readonly kind: 'function' | 'sharp function' | 'reference';
  readonly path: string;
  readonly handlerName: string;
  readonly bytes: number;
  readonly env: Readonly<Record<string, string>>;
}

interface Timing extends Bundle {
  readonly wallMs: number;
  readonly wallMapsMs: number;
  readonly importMs: number;
  readonly error: string | undefined;
}

async function bundle(name: string, entry: string, options: { external: string[]; detectSharp: boolean }): Promise<{ path: string; bytes: number; usesSharp: boolean }> {
  const outdir = join(DIR, name);
  await mkdir(outdir, { recursive: true });
  const outfile = join(outdir, 'index.mjs');
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: options.external,
    metafile: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
  const usesSharp = options.detectSharp && imports.some((i) => i.external && (i.path === 'sharp' || i.path.startsWith('sharp/')));
  return { path: outfile, bytes: (await stat(outfile)).size, usesSharp };
}

/** A fresh process that imports the bundle and checks the handler export; wall time and import time. */
function timeOnce(item: Bundle, sourceMaps: boolean): Promise<{ wallMs: number; importMs: number; error: string | undefined }> {
  const loader = join(DIR, 'load.mjs');
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), loader, item.path, item.handlerName], {
      cwd: DIR,
      // Only what a Lambda environment would have: no tsx loader, no NODE_OPTIONS of the harness.
      env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...item.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    child.once('exit', (code) => {
      const wallMs = performance.now() - started;
      const line = out.split('\n').find((l) => l.startsWith('{"importMs"'));
      const importMs = line ? (JSON.parse(line) as { importMs: number }).importMs : Number.NaN;
      resolve({ wallMs, importMs, error: code === 0 ? undefined : (err.trim().split('\n').find((l) => /Error/.test(l)) ?? `exit ${code}`) });
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
      'const module = await import(new URL(process.argv[2], "file://").href);',
      'if (typeof module[process.argv[3]] !== "function") { console.error(`Error: no export ${process.argv[3]}`); process.exit(2); }',
      'console.log(JSON.stringify({ importMs: performance.now() - started }));',
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
  const refEnv = { AWS_REGION: 'us-east-1' };
  const empty = await bundle('_empty', join(DIR, 'empty.mjs'), { external: [], detectSharp: false });
  bundles.push({ name: 'empty module', kind: 'reference', path: empty.path, handlerName: 'handler', bytes: empty.bytes, env: refEnv });
  const ddb = await bundle('_ddb', join(DIR, 'ddb.mjs'), { external: [], detectSharp: false });
  bundles.push({ name: 'DynamoDB client, bundled', kind: 'reference', path: ddb.path, handlerName: 'handler', bytes: ddb.bytes, env: refEnv });
  const ddbExternal = await bundle('_ddb-external', join(DIR, 'ddb.mjs'), { external: ['@aws-sdk/*'], detectSharp: false });
  bundles.push({ name: 'DynamoDB client, SDK external', kind: 'reference', path: ddbExternal.path, handlerName: 'handler', bytes: ddbExternal.bytes, env: refEnv });
  for (const fn of topology.functions.values()) {
    const built = await bundle(fn.logicalId, join(PROJECT_DIR, fn.entry), { external: ['@aws-sdk/*', 'sharp'], detectSharp: true });
    const env = inProcessEnvironment(fn);
    bundles.push({ name: fn.entry, kind: built.usesSharp ? 'sharp function' : 'function', path: built.path, handlerName: fn.handlerName, bytes: built.bytes, env });
  }

  // Interleaved, so a change in the machine's load touches every bundle alike.
  const samples = new Map<Bundle, { wall: number[]; maps: number[]; imports: number[]; error: string | undefined }>();
  for (const b of bundles) samples.set(b, { wall: [], maps: [], imports: [], error: undefined });
  for (let run = 0; run < ctx.options.coldstart.runs; run += 1) {
    for (const b of bundles) {
      const s = samples.get(b)!;
      const plain = await timeOnce(b, false);
      s.wall.push(plain.wallMs);
      s.imports.push(plain.importMs);
      s.error ??= plain.error;
      if (run < ctx.options.coldstart.mapRuns) s.maps.push((await timeOnce(b, true)).wallMs);
    }
  }
  const timings: Timing[] = bundles.map((b) => {
    const s = samples.get(b)!;
    return { ...b, wallMs: median(s.wall), wallMapsMs: median(s.maps), importMs: median(s.imports), error: s.error };
  });
  return coldStartReport(ctx, timings);
}

function coldStartReport(ctx: BenchContext, timings: readonly Timing[]): SectionReport {
  const find = (name: string) => timings.find((t) => t.name === name);
  const ddb = find('DynamoDB client, bundled');
  const ddbExternal = find('DynamoDB client, SDK external');
  // Init is the import inside the fresh process (Lambda's init phase; the runtime is up already).
  // Its wall time, node's own start-up included, is in the table too.
  const comparisons: Comparison[] = [];
  const functions = timings.filter((t) => t.kind === 'function');
  const worst = functions.reduce<Timing | undefined>((w, t) => (w === undefined || t.importMs > w.importMs ? t : w), undefined);
  if (ddb && worst) {
    comparisons.push({
      measure: `slowest non-sharp init (${worst.name.split('/').pop()})`,
      ours: `${fmtMs(worst.importMs)} ms`,
      reference: `DynamoDB client bundle ${fmtMs(ddb.importMs)} ms`,
      ratio: worst.importMs / ddb.importMs,
      target: '<= 1.5x',
      met: functions.every((t) => t.error === undefined && t.importMs / ddb.importMs <= 1.5),
    });
  }
  const evidence = new Map<string, string>();
  if (ddb && ddbExternal) {
    evidence.set(
      'coldstart',
      `The same DynamoDB client costs ${fmtMs(ddbExternal.importMs)} ms to import with the SDK external (loaded from node_modules, as the functions load it) ` +
        `against ${fmtMs(ddb.importMs)} ms bundled and minified: the functions bundle everything but \`@aws-sdk/*\` (service-function.ts \`externalModules\`). Measured, not profiled.`,
    );
  }
  const empty = find('empty module');
  const over = (t: Timing) => t.wallMs - (empty?.wallMs ?? 0);
  const details = [
    `Each bundle built as NodejsFunction builds it (minified ESM, target node22, \`mainFields\` module/main, the createRequire banner, ` +
      '`@aws-sdk/*` external as the Lambda runtime provides it, and sharp external where used, resolved here from the project\'s node_modules). ' +
      `A fresh \`node\` process imports the bundle and checks its handler export, median of ${ctx.options.coldstart.runs}, ` +
      'with the function\'s template environment (placeholders for resource names). Init is the import, timed inside that process (Lambda\'s init phase); ' +
      'wall is the whole process, node\'s own start included, and "over empty" subtracts the empty module\'s wall time. ' +
      `The template sets \`NODE_OPTIONS=--enable-source-maps\`; that column (median of ${ctx.options.coldstart.mapRuns}) loads the bundle's source map too. Node here is ` +
      `${process.version}; Lambda runs Node 22.`,
    '',
    markdownTable(
      ['bundle', 'kind', 'size', 'init ms', 'x DynamoDB bundle', 'wall ms', 'wall over empty ms', 'wall with source maps ms', 'error'],
      timings.map((t) => [
        t.name,
        t.kind,
        fmtBytes(t.bytes),
        fmtMs(t.importMs),
        ddb && t.kind !== 'reference' ? `${(t.importMs / ddb.importMs).toFixed(2)}x` : '',
        fmtMs(t.wallMs),
        fmtMs(over(t)),
        fmtMs(t.wallMapsMs),
        t.error ?? '',
      ]),
    ),
  ].join('\n');
  return { name: 'coldstart', title: 'Cold start', comparisons, details, evidence };
}
