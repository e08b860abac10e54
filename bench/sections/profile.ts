/**
 * Profiles of the local stack under the loads above, with `node --cpu-prof`: a stack of its own
 * per load, then each busy thread's self time by area and by frame (the main thread, and the
 * functions' execution environments, which inherit the profiler's flags), counting only the
 * samples taken during the measured load. They are the evidence the report gives for a figure
 * that falls short of its target.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { userPoolToken } from '../lib/auth.js';
import { type ProfileSummary, profileClockUs, summarizeProfile } from '../lib/cpuprofile.js';
import { CACHE_DIR } from '../lib/paths.js';
import { type SectionReport, fmtInt, markdownTable } from '../lib/report.js';
import { type LocalStackInfo, startLocalStackTarget } from '../lib/targets.js';
import { renderTemplate } from '../lib/template.js';
import { measureLocalFanout } from './fanout.js';
import { load } from './http.js';
import { FILE_QUERY, seedFiles } from './data.js';
import { runLoad } from '../lib/http-load.js';

interface Profiled {
  readonly label: string;
  /** Which section's figures this load explains. */
  readonly explains: 'http' | 'data' | 'fanout';
  readonly throughput: string;
  /** Requests (or messages) in the measured window: what the per-request figures divide. */
  readonly count: number;
  readonly main: ProfileSummary | undefined;
  /** The other threads that were busy in the window: the functions' execution environments. */
  readonly workers: readonly ProfileSummary[];
}

type Window = { startUs: number; endUs: number };

/** What a load reports: its throughput, shown, and how many requests (or messages) its window held. */
type Measured = { readonly throughput: string; readonly count: number };

/** A worker thread's profile counts when it was busy for at least this share of the window (idle environments are left out). */
const BUSY_WORKER_SHARE = 0.02;

/** Starts a stack under `--cpu-prof`, runs `work` (which marks its measured window), stops it, reads every thread. */
async function profiled(slug: string, work: (stack: LocalStackInfo, window: Window) => Promise<Measured>): Promise<Measured & { main: ProfileSummary | undefined; workers: ProfileSummary[] }> {
  const dir = join(CACHE_DIR, 'profiles', slug);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const stack = await startLocalStackTarget({ nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  const window: Window = { startUs: 0, endUs: 0 };
  let measured: Measured;
  try {
    measured = await work(stack.info, window);
  } finally {
    await stack.stop();
  }
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread; the others
  // are tsx's module-hooks thread and the functions' execution environments (local-function.ts
  // passes the profiler's flags to their workers), of which only the busy ones are kept.
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const mainFile = files.find((f) => f.split('.')[4] === '0');
  const workers: ProfileSummary[] = [];
  for (const f of files) {
    if (f === mainFile) continue;
    const summary = await summarizeProfile(join(dir, f), 20, window);
    if (summary.totalMs > 0 && summary.busyMs / summary.totalMs >= BUSY_WORKER_SHARE) workers.push(summary);
  }
  workers.sort((a, b) => b.busyMs - a.busyMs);
  return { ...measured, main: mainFile ? await summarizeProfile(join(dir, mainFile), 20, window) : undefined, workers };
}

function httpLoad(ctx: BenchContext, mode: 'user pool' | 'API key') {
  return async (stack: LocalStackInfo, window: Window) => {
    const headers: Record<string, string> = mode === 'user pool' ? { authorization: (await userPoolToken(stack, 'bench-profile')).token } : { 'x-api-key': stack.apiKey };
    await load(stack.graphqlUrl, headers, 1, ctx.options.http.connections);
    window.startUs = profileClockUs();
    const result = await load(stack.graphqlUrl, headers, ctx.options.profile.durationS, ctx.options.http.connections);
    window.endUs = profileClockUs();
    return { throughput: `${fmtInt(result.reqPerSec)} req/s`, count: result.requests };
  };
}

/** The data section's `file(id)` with a user-pool token, on a file the caller made. */
function fileLoad(ctx: BenchContext) {
  return async (stack: LocalStackInfo, window: Window) => {
    const { token } = await userPoolToken(stack, 'bench-profile');
    const headers = { authorization: token };
    const [id] = await seedFiles(stack.graphqlUrl, token, 1);
    const body = JSON.stringify({ query: FILE_QUERY, variables: { id } });
    const request = { url: stack.graphqlUrl, headers, body, connections: ctx.options.data.connections, rejectText: '"errors"' };
    await runLoad({ ...request, durationS: 1 });
    window.startUs = profileClockUs();
    const result = await runLoad({ ...request, durationS: ctx.options.profile.durationS });
    window.endUs = profileClockUs();
    return { throughput: `${fmtInt(result.reqPerSec)} req/s`, count: result.requests };
  };
}

function fanoutLoad(ctx: BenchContext) {
  return async (stack: LocalStackInfo, window: Window) => {
    const row = await measureLocalFanout(ctx, stack, randomUUID(), {
      start: () => (window.startUs = profileClockUs()),
      end: () => (window.endUs = profileClockUs()),
    });
    // Per delivered message: the fan-out's unit of work.
    return { throughput: `${fmtInt(row.msgPerSec)} msg/s`, count: row.subscribers * row.publishes - row.lost };
  };
}

const areasTable = (s: ProfileSummary) =>
  markdownTable(
    ['area', 'self ms', 'share of busy'],
    s.areas.map((a) => [a.area, fmtInt(a.selfMs), `${(a.share * 100).toFixed(1)}%`]),
  );

const framesTable = (s: ProfileSummary) =>
  markdownTable(
    ['frame', 'self ms', 'share of busy'],
    s.frames.map((f) => [`\`${f.frame}\``, fmtInt(f.selfMs), `${(f.share * 100).toFixed(1)}%`]),
  );

/** Busy µs of a thread per request (or message) of the window. */
const usPer = (s: ProfileSummary, count: number) => (count > 0 ? (s.busyMs * 1000) / count : Number.NaN);

/** One line of evidence: the load, how busy each thread was per request, and the main thread's top frames and areas. */
function evidenceLine(p: Profiled): string {
  if (!p.main) return `${p.label}: no profile was written.`;
  const frames = p.main.frames.slice(0, 5).map((f) => `\`${f.frame}\` ${(f.share * 100).toFixed(0)}%`).join(', ');
  const areas = p.main.areas.slice(0, 4).map((a) => `${a.area} ${(a.share * 100).toFixed(0)}%`).join(', ');
  const busy = (p.main.busyMs / p.main.totalMs) * 100;
  const workers = p.workers.length === 0
    ? ''
    : `; function threads (${p.workers.length}) busy ${fmtInt(p.workers.reduce((sum, w) => sum + usPer(w, p.count), 0))} µs per request, their top areas ${mergedAreas(p.workers).slice(0, 4).map((a) => `${a.area} ${(a.share * 100).toFixed(0)}%`).join(', ')}`;
  return `${p.label} (${p.throughput} under the profiler; main thread busy ${busy.toFixed(0)}% of the time, ${fmtInt(usPer(p.main, p.count))} µs per request${workers}): main thread's top frames by self time ${frames}; by area ${areas}.`;
}

/** The areas of several threads' profiles pooled: self ms summed, shares of their pooled busy time. */
function mergedAreas(summaries: readonly ProfileSummary[]): { area: string; selfMs: number; share: number }[] {
  const busy = summaries.reduce((sum, s) => sum + s.busyMs, 0);
  const areas = new Map<string, number>();
  for (const s of summaries) for (const a of s.areas) areas.set(a.area, (areas.get(a.area) ?? 0) + a.selfMs);
  return [...areas].map(([area, selfMs]) => ({ area, selfMs, share: busy > 0 ? selfMs / busy : 0 })).sort((a, b) => b.selfMs - a.selfMs);
}

export async function runProfile(ctx: BenchContext): Promise<SectionReport> {
  const runs: Profiled[] = [];
  for (const mode of ['user pool', 'API key'] as const) {
    ctx.log(`Profile: HTTP, ${mode}`);
    runs.push({ label: `HTTP, ${mode}`, explains: 'http', ...(await profiled(`http-${mode.replace(' ', '-')}`, httpLoad(ctx, mode))) });
  }
  ctx.log('Profile: data path, file(id)');
  runs.push({ label: 'Data path, file(id), user pool', explains: 'data', ...(await profiled('data-file', fileLoad(ctx))) });
  ctx.log('Profile: fan-out');
  runs.push({ label: 'fan-out', explains: 'fanout', ...(await profiled('fanout', fanoutLoad(ctx))) });
  for (const r of runs) ctx.log(`  ${r.label}: ${r.throughput}`);

  const evidence = new Map<string, string>();
  for (const r of runs) evidence.set(r.explains, [evidence.get(r.explains), evidenceLine(r)].filter(Boolean).join('\n- '));
  const details = [
    renderTemplate('profile', { durationS: ctx.options.profile.durationS, connections: ctx.options.http.connections }),
    '',
    ...runs.flatMap((p) => [
      `### ${p.label}: ${p.throughput}${p.main ? `, main thread busy ${fmtInt(p.main.busyMs)} of ${fmtInt(p.main.totalMs)} ms (${fmtInt(usPer(p.main, p.count))} µs per request)` : ''}`,
      '',
      ...(p.main ? [areasTable(p.main), '', framesTable(p.main), ''] : ['No main-thread profile was written.', '']),
      ...(p.workers.length === 0
        ? []
        : [
            `Function threads (${p.workers.length} busy): ${fmtInt(p.workers.reduce((sum, w) => sum + w.busyMs, 0))} ms busy in all, ${fmtInt(p.workers.reduce((sum, w) => sum + usPer(w, p.count), 0))} µs per request.`,
            '',
            areasTable({ ...p.workers[0]!, areas: mergedAreas(p.workers).slice(0, 15) }),
            '',
          ]),
    ]),
  ].join('\n');
  return { name: 'profile', title: 'Profile', comparisons: [], details, evidence };
}
