/**
 * 6. Start-up: `npm start` (as `npx tsx local/main.ts --port P --s3-port Q`) to its "ready" line,
 * first with no state (certificate, seed, DynamoDB files made) and then again with the state of
 * the first; and, when the stack reloads handlers on an edit, the time from saving an edit of
 * the files API's code to the API answering with it.
 *
 * It runs in a temporary copy of the working tree (node_modules linked), so the project's own
 * .local/ and amplify_outputs.json are left alone and the edit touches no one's files.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { BenchContext } from '../lib/context.js';
import { freePort } from '../lib/child.js';
import { PROJECT_DIR } from '../lib/paths.js';
import { type Comparison, type SectionReport, fmtMs, markdownTable } from '../lib/report.js';
import { sleep } from '../lib/stats.js';
import { UPLOAD_POLICY_QUERY } from './http.js';

const READY_LINE = /ready in/i;
/** The edit: the policy the files API serves (resolvers/files/policy.ts). */
const EDITED_FILE = 'resolvers/files/policy.ts';
const EDITED_CONSTANT = /(export const MAX_UPLOAD_BYTES\s*=\s*)([^;]+);/;

async function copyWorkingTree(): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: PROJECT_DIR, maxBuffer: 64 * 1024 * 1024 });
  const dir = await mkdtemp(join(tmpdir(), 'bench-startup-'));
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (file.startsWith('bench/')) continue;
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(join(PROJECT_DIR, file), join(dir, file)).catch(() => undefined); // deleted but still tracked
  }
  await symlink(join(PROJECT_DIR, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

interface Running {
  readonly readyMs: number;
  /** What the stack itself prints ("ready in N s"): from its own start, without npx and tsx. */
  readonly ownSeconds: number;
  readonly output: string[];
  stop(): Promise<void>;
}

async function start(dir: string, port: number, s3Port: number, timeoutMs = 120_000): Promise<Running> {
  const started = performance.now();
  const child = spawn('npx', ['tsx', 'local/main.ts', '--port', String(port), '--s3-port', String(s3Port)], {
    cwd: dir,
    env: { ...process.env, PORT: '', S3_PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npx, tsx and node stop together
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      process.kill(-child.pid, 'SIGINT');
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
  };
  child.stderr.setEncoding('utf8').on('data', (t: string) => output.push(t));
  let ownSeconds = Number.NaN;
  const readyMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start not ready after ${timeoutMs / 1000} s:\n${output.join('')}`)), timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(`${line}\n`);
      if (READY_LINE.test(line)) {
        ownSeconds = Number(/ready in ([\d.]+) s/i.exec(line)?.[1] ?? Number.NaN);
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`npm start exited before it was ready:\n${output.join('')}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { readyMs, ownSeconds, output, stop };
}

/** Does this local stack reload handlers on an edit? (A file watcher in local/.) */
async function hasHotReload(dir: string): Promise<boolean> {
  const walk = async (path: string): Promise<string[]> =>
    (await readdir(path, { withFileTypes: true })).flatMap((e) => (e.isDirectory() ? [] : [join(path, e.name)])).concat(
      ...(await Promise.all((await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => walk(join(path, e.name))))),
    );
  for (const file of (await walk(join(dir, 'local'))).filter((f) => f.endsWith('.ts'))) {
    const text = await readFile(file, 'utf8');
    if (/from 'node:fs(\/promises)?'/.test(text) && /\bwatch\(/.test(text)) return true;
  }
  return false;
}

async function maxBytes(url: string, apiKey: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ query: UPLOAD_POLICY_QUERY }) });
    const body = (await response.json()) as { data?: { uploadPolicy?: { maxBytes?: number } } };
    return body.data?.uploadPolicy?.maxBytes;
  } catch {
    return undefined;
  }
}

/** Saves an edit of the policy and polls until the API serves it; ms from the save, or why not. */
async function editToLive(ctx: BenchContext, dir: string, port: number): Promise<{ ms: number; note: string }> {
  const outputs = JSON.parse(await readFile(join(dir, 'amplify_outputs.json'), 'utf8')) as { data?: { api_key?: string } };
  const apiKey = outputs.data?.api_key;
  if (!apiKey) return { ms: Number.NaN, note: 'no API key in amplify_outputs.json' };
  const url = `http://127.0.0.1:${port}/graphql`;
  const before = await maxBytes(url, apiKey);
  const path = join(dir, EDITED_FILE);
  const source = await readFile(path, 'utf8');
  if (before === undefined || !EDITED_CONSTANT.test(source)) return { ms: Number.NaN, note: `cannot make an observable edit in ${EDITED_FILE}` };
  await writeFile(path, source.replace(EDITED_CONSTANT, '$1($2) + 1;'));
  const saved = performance.now();
  const deadline = saved + ctx.options.startup.editTimeoutMs;
  while (performance.now() < deadline) {
    const now = await maxBytes(url, apiKey);
    if (now !== undefined && now !== before) return { ms: performance.now() - saved, note: `${EDITED_FILE}: MAX_UPLOAD_BYTES + 1` };
    await sleep(10);
  }
  return { ms: Number.POSITIVE_INFINITY, note: `not live ${ctx.options.startup.editTimeoutMs / 1000} s after the save` };
}

export async function runStartup(ctx: BenchContext): Promise<SectionReport> {
  const dir = await copyWorkingTree();
  try {
    const [port, s3Port] = [await freePort(), await freePort()];
    ctx.log('Start-up: first start (no state)');
    const first = await start(dir, port, s3Port);
    await first.stop();
    ctx.log(`  ready in ${fmtMs(first.readyMs)} ms; second start (state kept)`);
    const second = await start(dir, port, s3Port);
    ctx.log(`  ready in ${fmtMs(second.readyMs)} ms`);
    let edit: { ms: number; note: string } = { ms: Number.NaN, note: 'n/a: the local stack has no hot reload' };
    try {
      if (await hasHotReload(dir)) edit = await editToLive(ctx, dir, port);
    } finally {
      await second.stop();
    }
    ctx.log(`  handler edit: ${Number.isFinite(edit.ms) ? `${fmtMs(edit.ms)} ms` : edit.note}`);
    const comparisons: Comparison[] = [
      { measure: 'npm start to ready, first start', ours: `${(first.readyMs / 1000).toFixed(1)} s`, reference: '-', ratio: undefined, target: '<= 10 s', met: first.readyMs <= 10_000 },
      { measure: 'npm start to ready, with state', ours: `${(second.readyMs / 1000).toFixed(1)} s`, reference: '-', ratio: undefined, target: '<= 10 s', met: second.readyMs <= 10_000 },
      {
        measure: 'handler edit to live',
        ours: Number.isNaN(edit.ms) ? 'n/a' : edit.ms === Number.POSITIVE_INFINITY ? `> ${ctx.options.startup.editTimeoutMs / 1000} s` : `${fmtMs(edit.ms)} ms`,
        reference: '-',
        ratio: undefined,
        target: '<= 1 s',
        met: Number.isNaN(edit.ms) ? undefined : edit.ms <= 1_000,
      },
    ];
    const details = [
      '`npx tsx local/main.ts --port P --s3-port Q` (what `npm start` runs) in a temporary copy of the working tree with the project\'s node_modules linked; ' +
        'time from spawning it to its "ready" line. The first start has no state (it makes the TLS certificate, the seed and the DynamoDB files); the second reuses it. ' +
        'Handler edit: with the second stack running, an edit of the files API\'s code is saved and `uploadPolicy` is polled until it answers with the edit.',
      '',
      markdownTable(
        ['what', 'time', 'note'],
        [
          ['first start to ready', `${fmtMs(first.readyMs)} ms`, `the stack's own "ready in": ${first.ownSeconds} s`],
          ['second start to ready', `${fmtMs(second.readyMs)} ms`, `the stack's own "ready in": ${second.ownSeconds} s`],
          ['handler edit to live', Number.isFinite(edit.ms) ? `${fmtMs(edit.ms)} ms` : 'n/a', edit.note],
        ],
      ),
    ].join('\n');
    return { name: 'startup', title: 'Start-up', comparisons, details };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
