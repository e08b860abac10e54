/**
 * 5. Hostile documents: time and peak memory to reject each document at two sizes, through the
 * local stack's HTTP endpoint (API key) and in-process on its engine, against bare graphql-js
 * (`graphql()`, in-process). In-process runs get a fresh process each (`--expose-gc`), so the
 * peak resident memory is the document's own; over HTTP it is the stack process's VmHWM growth.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { app } from '../lib/app.js';
import { type ProfileSummary, summarizeProfile } from '../lib/cpuprofile.js';
import { type HostileCase, HOSTILE_CASES, type HostileKind } from '../lib/hostile-docs.js';
import { CACHE_DIR, PROJECT_DIR } from '../lib/paths.js';
import { type Comparison, type SectionReport, fmtBytes, fmtKiB, fmtMs, markdownTable } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { startLocalStackTarget } from '../lib/targets.js';
import { renderTemplate } from '../lib/template.js';

interface Measurement {
  readonly ms: number;
  /** The fastest run: what the code costs when the scheduler does not interrupt it. */
  readonly bestMs: number;
  readonly rejected: boolean;
  readonly outcome: string;
  /** Growth of the process's peak resident set (0: stayed under its earlier peak). */
  readonly peakKiB: number;
  /** Heap in use right after the call over the collected heap before it (in-process only). */
  readonly heapKiB: number;
  readonly documentBytes: number;
}

interface CaseResult extends HostileCase {
  readonly http: Measurement;
  readonly engine: Measurement;
  readonly bare: Measurement;
}

interface WorkerRun {
  readonly measurement: Measurement;
  /** The measured loop's window on the profile clock (µs), when the worker reported it. */
  readonly window: { readonly startUs: number; readonly endUs: number } | undefined;
}

function inProcess(ctx: BenchContext, engine: 'local' | 'bare', c: HostileCase, templateDir: string): Promise<Measurement> {
  return runWorker(ctx, engine, c, templateDir, ctx.options.hostile.reps).then((r) => r.measurement);
}

function runWorker(ctx: BenchContext, engine: 'local' | 'bare', c: HostileCase, templateDir: string, reps: number, profile?: string): Promise<WorkerRun> {
  const { timeoutMs } = ctx.options.hostile;
  return runChild(
    [
      '--expose-gc',
      '--import',
      'tsx',
      'bench/targets/hostile-worker.ts',
      ...['--engine', engine, '--kind', c.kind, '--size', String(c.size), '--reps', String(reps)],
      ...['--budget-ms', String(ctx.options.hostile.budgetMs), '--template', templateDir],
      ...(profile ? ['--profile', profile] : []),
    ],
    timeoutMs,
  ).then((child) => {
    if (child.line === undefined) {
      const why = child.killed ? `not done after ${timeoutMs / 1000} s` : `crashed (${child.code}): ${child.lastError}`;
      const ms = child.killed ? Number.POSITIVE_INFINITY : Number.NaN;
      return { measurement: { ms, bestMs: ms, rejected: false, outcome: why, peakKiB: Number.NaN, heapKiB: Number.NaN, documentBytes: Number.NaN }, window: undefined };
    }
    const r = JSON.parse(child.line) as {
      times: number[];
      rejected: boolean;
      outcome: string;
      documentBytes: number;
      peakGrowthKiB: number;
      heapKiB: number;
      window?: { startUs: number; endUs: number };
    };
    return {
      measurement: { ms: median(r.times), bestMs: Math.min(...r.times), rejected: r.rejected, outcome: r.outcome, peakKiB: r.peakGrowthKiB, heapKiB: r.heapKiB, documentBytes: r.documentBytes },
      window: r.window,
    };
  });
}

/**
 * A node process of the project (the harness's workers and clients), killed after `timeoutMs`:
 * its result line (`{"times"...}` on stdout), or how it ended without one.
 */
function runChild(args: readonly string[], timeoutMs: number): Promise<{ line: string | undefined; code: number | null; killed: boolean; lastError: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args], { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({
        line: out.split('\n').find((l) => l.startsWith('{"times"')),
        code,
        killed: signal === 'SIGKILL',
        lastError: err.trim().split('\n').slice(-1)[0] ?? '',
      });
    });
  });
}

interface HttpClientRun {
  readonly times: number[];
  readonly last: { readonly status: number; readonly text: string } | { readonly error: string };
  readonly documentBytes: number;
  readonly window: { readonly startUs: number; readonly endUs: number };
}

/** Benign requests the client process sends before its measured ones (see hostile-http-client.ts). */
const HTTP_WARM_UP = 30;

/** The documents of one case posted to a stack by a fresh client process (bench/targets/hostile-http-client.ts). */
function httpClient(ctx: BenchContext, info: { graphqlUrl: string; apiKey: string }, c: HostileCase, reps: number): Promise<HttpClientRun> {
  return runChild(
    [
      '--expose-gc',
      '--import',
      'tsx',
      'bench/targets/hostile-http-client.ts',
      ...['--url', info.graphqlUrl, '--api-key', info.apiKey, '--kind', c.kind, '--size', String(c.size)],
      ...['--reps', String(reps), '--warm-up', String(HTTP_WARM_UP)],
    ],
    ctx.options.hostile.timeoutMs,
  ).then((child) => {
    if (child.line === undefined) throw new Error(`the HTTP client failed (${child.code}): ${child.lastError}`);
    return JSON.parse(child.line) as HttpClientRun;
  });
}

async function overHttp(ctx: BenchContext, c: HostileCase): Promise<Measurement> {
  const stack = await ctx.localStack();
  const before = await stack.memory();
  const run = await httpClient(ctx, stack.info, c, ctx.options.hostile.httpReps);
  const after = await stack.memory();
  let outcome: string;
  let rejected: boolean;
  if ('error' in run.last) {
    rejected = false;
    outcome = `no response: ${run.last.error}`.slice(0, 120);
  } else {
    let parsed: { data?: unknown; errors?: { message?: string; errorType?: string }[] } = {};
    try {
      parsed = JSON.parse(run.last.text) as typeof parsed;
    } catch {
      parsed = { errors: [{ message: run.last.text.slice(0, 80) }] };
    }
    const first = parsed.errors?.[0];
    rejected = run.last.status !== 200 || ((parsed.errors?.length ?? 0) > 0 && (parsed.data === null || parsed.data === undefined));
    outcome = `${run.last.status} ${first ? `${first.errorType ?? ''}: ${first.message ?? ''}` : 'executed'}`.slice(0, 120);
  }
  return { ms: median(run.times), bestMs: Math.min(...run.times), rejected, outcome, peakKiB: after.hwmKiB - before.hwmKiB, heapKiB: Number.NaN, documentBytes: run.documentBytes };
}

/** Profiled engine runs per case (more than the measured runs, for enough samples). */
const PROFILE_REPS = 40;

/**
 * CPU profiles for each case of a kind whose comparison fell short: the engine's (the worker
 * samples only its measured loop), and, where the HTTP figure is the short one, the main thread
 * of a local stack of its own under `--cpu-prof`, counting only the samples taken while that
 * case's documents were posted.
 */
async function profileShortfalls(ctx: BenchContext, results: readonly CaseResult[], short: ReadonlySet<HostileKind>, templateDir: string): Promise<Map<string, string>> {
  const lines: string[] = [];
  const dir = join(CACHE_DIR, 'profiles', 'hostile');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const shortCases = results.filter((r) => short.has(r.kind));
  for (const r of shortCases) {
    ctx.log(`Hostile: profiling the engine on ${r.label}`);
    const file = join(dir, `${r.kind}-${r.size}.cpuprofile`);
    const run = await runWorker(ctx, 'local', r, templateDir, PROFILE_REPS, file);
    const summary = run.window ? await summarizeProfile(file, 20, run.window).catch(() => undefined) : undefined;
    lines.push(summary ? profileLine(`${r.label}, engine`, `median ${fmtMs(run.measurement.ms)} ms`, summary) : `${r.label}, engine: no profile was written (${run.measurement.outcome}).`);
  }
  const slowOverHttp = shortCases.filter((r) => !(r.http.ms <= LIMIT_MS));
  if (slowOverHttp.length > 0) lines.push(...(await profileHttp(ctx, slowOverHttp, join(dir, 'stack'))));
  return lines.length > 0 ? new Map([['hostile', lines.join('\n- ')]]) : new Map();
}

async function profileHttp(ctx: BenchContext, cases: readonly CaseResult[], dir: string): Promise<string[]> {
  ctx.log(`Hostile: profiling a local stack over HTTP on ${cases.map((c) => c.label).join(', ')}`);
  await mkdir(dir, { recursive: true });
  const stack = await startLocalStackTarget({ nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100'] });
  const windows: { label: string; times: number[]; window: { startUs: number; endUs: number } }[] = [];
  try {
    for (const c of cases) {
      const run = await httpClient(ctx, stack.info, c, PROFILE_REPS);
      windows.push({ label: c.label, times: run.times, window: run.window });
    }
  } finally {
    await stack.stop();
  }
  // Thread 0 is the main thread (see profile.ts).
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0');
  if (!file) return ['Over HTTP: the stack wrote no main-thread profile.'];
  const lines: string[] = [];
  for (const w of windows) {
    const summary = await summarizeProfile(join(dir, file), 20, w.window);
    lines.push(profileLine(`${w.label}, HTTP (the stack's main thread)`, `median ${fmtMs(median(w.times))} ms`, summary));
  }
  return lines;
}

function profileLine(label: string, timing: string, p: ProfileSummary): string {
  if (p.frames.length === 0) return `${label} (${PROFILE_REPS} runs under the profiler, ${timing}): no samples; each run took less than the 100 µs sampling interval.`;
  const frames = p.frames.slice(0, 5).map((f) => `\`${f.frame}\` ${(f.share * 100).toFixed(0)}%`).join(', ');
  const areas = p.areas.slice(0, 4).map((a) => `${a.area} ${(a.share * 100).toFixed(0)}%`).join(', ');
  const busy = p.totalMs > 0 ? (p.busyMs / p.totalMs) * 100 : 0;
  return `${label} (${PROFILE_REPS} runs under the profiler, ${timing}; busy ${busy.toFixed(0)}% of ${fmtMs(p.totalMs)} ms): top frames by self time ${frames}; by area ${areas}.`;
}

export async function runHostile(ctx: BenchContext): Promise<SectionReport> {
  const { templateDir } = await app();
  const results: CaseResult[] = [];
  for (const c of HOSTILE_CASES) {
    ctx.log(`Hostile: ${c.label}`);
    const http = await overHttp(ctx, c);
    const engine = await inProcess(ctx, 'local', c, templateDir);
    const bare = await inProcess(ctx, 'bare', c, templateDir);
    ctx.log(`  HTTP ${fmtMs(http.ms)} ms (${http.rejected ? 'rejected' : 'NOT rejected'}), engine ${fmtMs(engine.ms)} ms, graphql-js ${fmtMs(bare.ms)} ms`);
    results.push({ ...c, http, engine, bare });
  }
  const { report, short } = hostileReport(ctx, results);
  if (short.size === 0) return report;
  return { ...report, evidence: await profileShortfalls(ctx, results, short, templateDir) };
}

const LIMIT_MS = 5;
const timeText = (m: Measurement) => (m.ms === Number.POSITIVE_INFINITY ? 'timeout' : fmtMs(m.ms));

/** The section's report, and the kinds of document whose comparison fell short. */
function hostileReport(ctx: BenchContext, results: readonly CaseResult[]): { report: SectionReport; short: Set<HostileKind> } {
  const comparisons: Comparison[] = [];
  const short = new Set<HostileKind>();
  for (const kind of ['aliases', 'nesting', 'duplicates', 'tokens'] as HostileKind[]) {
    const [small, large] = results.filter((r) => r.kind === kind);
    if (!small || !large) continue;
    const all = [small.http, small.engine, large.http, large.engine];
    const rejected = all.every((m) => m.rejected);
    const fast = all.every((m) => m.ms <= LIMIT_MS);
    // Flat: ten times the input costs the engine at most twice the time (plus a millisecond of noise).
    const flat = large.engine.ms <= 2 * small.engine.ms + 1;
    comparisons.push({
      measure: `${small.label}, and x10: ms to reject`,
      ours: `engine ${timeText(small.engine)} / ${timeText(large.engine)}; HTTP ${timeText(small.http)} / ${timeText(large.http)}${rejected ? '' : ' (not all rejected)'}`,
      reference: `graphql-js ${timeText(small.bare)} / ${timeText(large.bare)}`,
      ratio: Number.isFinite(small.bare.ms) ? small.engine.ms / small.bare.ms : undefined,
      target: `rejected, <= ${LIMIT_MS} ms, flat`,
      met: rejected && fast && flat,
    });
    if (!(rejected && fast && flat)) short.add(kind);
  }
  const { reps, httpReps, timeoutMs } = ctx.options.hostile;
  const row = (where: string, r: CaseResult, m: Measurement) => [
    r.label,
    where,
    fmtBytes(m.documentBytes),
    timeText(m),
    Number.isFinite(m.bestMs) ? fmtMs(m.bestMs) : '-',
    m.rejected ? 'yes' : '**no**',
    fmtKiB(m.peakKiB),
    Number.isNaN(m.heapKiB) ? '-' : fmtKiB(m.heapKiB),
    m.outcome,
  ];
  const details = [
    renderTemplate('hostile', { reps, timeoutS: timeoutMs / 1000, httpReps, warmUp: HTTP_WARM_UP, profileReps: PROFILE_REPS }),
    '',
    markdownTable(
      ['document', 'where', 'size', 'ms', 'best ms', 'rejected', 'peak RSS growth', 'heap after call', 'outcome'],
      results.flatMap((r) => [row(r.label, r, r.http).map((v, i) => (i === 1 ? 'HTTP' : v)), row(r.label, r, r.engine).map((v, i) => (i === 1 ? 'engine' : v)), row(r.label, r, r.bare).map((v, i) => (i === 1 ? 'graphql-js' : v))]),
    ),
  ].join('\n');
  return { report: { name: 'hostile', title: 'Hostile documents', comparisons, details }, short };
}
