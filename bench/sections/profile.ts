/**
 * Profiles of the local stack under the loads above, with `node --cpu-prof`: a stack of its own
 * per load, then the main thread's self time by area and by frame, counting only the samples
 * taken during the measured load. They are the evidence the report gives for a figure that
 * falls short of its target.
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

interface Profiled {
  readonly label: string;
  /** Which section's figures this load explains. */
  readonly explains: 'http' | 'fanout';
  readonly throughput: string;
  readonly main: ProfileSummary | undefined;
}

type Window = { startUs: number; endUs: number };

/** Starts a stack under `--cpu-prof`, runs `work` (which marks its measured window), stops it, reads the main thread. */
async function profiled(slug: string, work: (stack: LocalStackInfo, window: Window) => Promise<string>): Promise<{ throughput: string; main: ProfileSummary | undefined }> {
  const dir = join(CACHE_DIR, 'profiles', slug);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const stack = await startLocalStackTarget({ nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  const window: Window = { startUs: 0, endUs: 0 };
  let throughput: string;
  try {
    throughput = await work(stack.info, window);
  } finally {
    await stack.stop();
  }
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread (the other
  // is tsx's module-hooks thread). The functions' worker threads start with `execArgv: []`, so
  // they are not profiled.
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0');
  return { throughput, main: file ? await summarizeProfile(join(dir, file), 20, window) : undefined };
}

function httpLoad(ctx: BenchContext, mode: 'user pool' | 'API key') {
  return async (stack: LocalStackInfo, window: Window) => {
    const headers: Record<string, string> = mode === 'user pool' ? { authorization: (await userPoolToken(stack, 'bench-profile')).token } : { 'x-api-key': stack.apiKey };
    await load(stack.graphqlUrl, headers, 1, ctx.options.http.connections);
    window.startUs = profileClockUs();
    const result = await load(stack.graphqlUrl, headers, ctx.options.profile.durationS, ctx.options.http.connections);
    window.endUs = profileClockUs();
    return `${fmtInt(result.reqPerSec)} req/s`;
  };
}

function fanoutLoad(ctx: BenchContext) {
  return async (stack: LocalStackInfo, window: Window) => {
    const row = await measureLocalFanout(ctx, stack, randomUUID(), {
      start: () => (window.startUs = profileClockUs()),
      end: () => (window.endUs = profileClockUs()),
    });
    return `${fmtInt(row.msgPerSec)} msg/s`;
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

/** One line of evidence: the load, how busy the thread was, and its top frames and areas. */
function evidenceLine(p: Profiled): string {
  if (!p.main) return `${p.label}: no profile was written.`;
  const frames = p.main.frames.slice(0, 5).map((f) => `\`${f.frame}\` ${(f.share * 100).toFixed(0)}%`).join(', ');
  const areas = p.main.areas.slice(0, 4).map((a) => `${a.area} ${(a.share * 100).toFixed(0)}%`).join(', ');
  const busy = (p.main.busyMs / p.main.totalMs) * 100;
  return `${p.label} (${p.throughput} under the profiler; main thread busy ${busy.toFixed(0)}% of the time): top frames by self time ${frames}; by area ${areas}.`;
}

export async function runProfile(ctx: BenchContext): Promise<SectionReport> {
  const runs: Profiled[] = [];
  for (const mode of ['user pool', 'API key'] as const) {
    ctx.log(`Profile: HTTP, ${mode}`);
    runs.push({ label: `HTTP, ${mode}`, explains: 'http', ...(await profiled(`http-${mode.replace(' ', '-')}`, httpLoad(ctx, mode))) });
  }
  ctx.log('Profile: fan-out');
  runs.push({ label: 'fan-out', explains: 'fanout', ...(await profiled('fanout', fanoutLoad(ctx))) });
  for (const r of runs) ctx.log(`  ${r.label}: ${r.throughput}`);

  const evidence = new Map<string, string>();
  for (const r of runs) evidence.set(r.explains, [evidence.get(r.explains), evidenceLine(r)].filter(Boolean).join('\n- '));
  const details = [
    renderTemplate('profile', { durationS: ctx.options.profile.durationS, connections: ctx.options.http.connections }),
    '',
    ...runs.flatMap((p) => [
      `### ${p.label}: ${p.throughput}${p.main ? `, main thread busy ${fmtInt(p.main.busyMs)} of ${fmtInt(p.main.totalMs)} ms` : ''}`,
      '',
      ...(p.main ? [areasTable(p.main), '', framesTable(p.main), ''] : ['No main-thread profile was written.', '']),
    ]),
  ].join('\n');
  return { name: 'profile', title: 'Profile', comparisons: [], details, evidence };
}
