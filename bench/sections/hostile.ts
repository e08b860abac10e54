/**
 * 5. Hostile documents: time and peak memory to reject each document at two sizes, through the
 * local stack's HTTP endpoint (API key) and in-process on its engine, against bare graphql-js
 * (`graphql()`, in-process). In-process runs get a fresh process each (`--expose-gc`), so the
 * peak resident memory is the document's own; over HTTP it is the stack process's VmHWM growth.
 */
import { spawn } from 'node:child_process';
import type { BenchContext } from '../lib/context.js';
import { app } from '../lib/app.js';
import { type HostileCase, HOSTILE_CASES, type HostileKind, hostileDocument } from '../lib/hostile-docs.js';
import { PROJECT_DIR } from '../lib/paths.js';
import { type Comparison, type SectionReport, fmtBytes, fmtKiB, fmtMs, markdownTable } from '../lib/report.js';
import { median } from '../lib/stats.js';

interface Measurement {
  readonly ms: number;
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

function inProcess(ctx: BenchContext, engine: 'local' | 'bare', c: HostileCase, templateDir: string): Promise<Measurement> {
  const { reps, timeoutMs } = ctx.options.hostile;
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/targets/hostile-worker.ts', '--engine', engine, '--kind', c.kind, '--size', String(c.size), '--reps', String(reps), '--budget-ms', String(ctx.options.hostile.budgetMs), '--template', templateDir],
      { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{"times"'));
      if (!line) {
        const why = signal === 'SIGKILL' ? `not done after ${timeoutMs / 1000} s` : `crashed (${code}): ${err.trim().split('\n').slice(-1)[0] ?? ''}`;
        resolve({ ms: signal === 'SIGKILL' ? Number.POSITIVE_INFINITY : Number.NaN, rejected: false, outcome: why, peakKiB: Number.NaN, heapKiB: Number.NaN, documentBytes: Number.NaN });
        return;
      }
      const r = JSON.parse(line) as { times: number[]; rejected: boolean; outcome: string; documentBytes: number; peakGrowthKiB: number; heapKiB: number };
      resolve({ ms: median(r.times), rejected: r.rejected, outcome: r.outcome, peakKiB: r.peakGrowthKiB, heapKiB: r.heapKiB, documentBytes: r.documentBytes });
    });
  });
}

async function overHttp(ctx: BenchContext, c: HostileCase): Promise<Measurement> {
  const stack = await ctx.localStack();
  const times: number[] = [];
  let outcome = '';
  let rejected = false;
  let documentBytes = 0;
  const before = await stack.memory();
  for (let rep = 0; rep < ctx.options.hostile.reps; rep += 1) {
    const body = JSON.stringify({ query: hostileDocument(c.kind, c.size, `http ${rep} ${Date.now()}`) });
    documentBytes = Buffer.byteLength(body);
    const started = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(stack.info.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': stack.info.apiKey }, body });
      text = await response.text();
    } catch (error) {
      // The server may cut the connection instead of answering (e.g. over its body limit).
      times.push(performance.now() - started);
      rejected = true;
      outcome = `no response: ${String((error as { cause?: unknown }).cause ?? error)}`.slice(0, 120);
      continue;
    }
    times.push(performance.now() - started);
    let parsed: { data?: unknown; errors?: { message?: string; errorType?: string }[] } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = { errors: [{ message: text.slice(0, 80) }] };
    }
    const first = parsed.errors?.[0];
    rejected = response.status !== 200 || ((parsed.errors?.length ?? 0) > 0 && (parsed.data === null || parsed.data === undefined));
    outcome = `${response.status} ${first ? `${first.errorType ?? ''}: ${first.message ?? ''}` : 'executed'}`.slice(0, 120);
  }
  const after = await stack.memory();
  return { ms: median(times), rejected, outcome, peakKiB: after.hwmKiB - before.hwmKiB, heapKiB: Number.NaN, documentBytes };
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
  return hostileReport(ctx, results);
}

const LIMIT_MS = 5;
const timeText = (m: Measurement) => (m.ms === Number.POSITIVE_INFINITY ? 'timeout' : fmtMs(m.ms));

function hostileReport(ctx: BenchContext, results: readonly CaseResult[]): SectionReport {
  const comparisons: Comparison[] = [];
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
  }
  const { reps, timeoutMs } = ctx.options.hostile;
  const row = (where: string, r: CaseResult, m: Measurement) => [
    r.label,
    where,
    fmtBytes(m.documentBytes),
    timeText(m),
    m.rejected ? 'yes' : '**no**',
    fmtKiB(m.peakKiB),
    Number.isNaN(m.heapKiB) ? '-' : fmtKiB(m.heapKiB),
    m.outcome,
  ];
  const details = [
    `Each document at the issue's size and ten times it (a comment makes every request's text unique, so no document cache helps). ` +
      `Median of up to ${reps} runs (fewer when one run takes seconds; a run over ${timeoutMs / 1000} s is stopped). ` +
      '"HTTP" is a POST with the API key to the local stack, timed at the client. ' +
      '"engine" is local/graphql/engine.ts in a fresh process with the template\'s API and a stub for functions; ' +
      '"graphql-js" is `graphql()` over the same schema in a fresh process. ' +
      'Peak RSS growth is how far the document raised the process\'s peak resident set (the stack process\'s VmHWM over HTTP); 0 means it stayed under the peak the process had already reached (start-up included). ' +
      'Heap after call is the V8 heap in use right after the call over the collected heap before it: what the call allocated and had not yet freed. ' +
      'Rejected means errors and no data (or a 4xx).',
    '',
    markdownTable(
      ['document', 'where', 'size', 'ms', 'rejected', 'peak RSS growth', 'heap after call', 'outcome'],
      results.flatMap((r) => [row(r.label, r, r.http).map((v, i) => (i === 1 ? 'HTTP' : v)), row(r.label, r, r.engine).map((v, i) => (i === 1 ? 'engine' : v)), row(r.label, r, r.bare).map((v, i) => (i === 1 ? 'graphql-js' : v))]),
    ),
  ].join('\n');
  return { name: 'hostile', title: 'Hostile documents', comparisons, details };
}
