/** Reading V8 `.cpuprofile` files (from `node --cpu-prof`): where the sampled time went. */
import { readFile } from 'node:fs/promises';
import { PROJECT_DIR } from './paths.js';

/** A node of V8's `.cpuprofile` JSON: one call site in the sampled call tree. */
export interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly children?: readonly number[];
}

/** The fields of a `.cpuprofile` file the bench reads: the call tree and when each sample fell in it. */
export interface CpuProfile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface FrameTime {
  readonly frame: string;
  readonly area: string;
  readonly selfMs: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Time not idle: what the thread spent working. */
  readonly busyMs: number;
  readonly frames: readonly FrameTime[];
  readonly areas: readonly { readonly area: string; readonly selfMs: number; readonly share: number }[];
}

/** Where a script lives, short: `local/http/graphql-handler.ts`, `jose`, `node:internal/...`. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*$/, 'node:internal/$1');
  const path = url.replace(/^file:\/\//, '');
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (modules?.[1] === '.cache') return 'function bundle';
  if (modules?.[1]) return modules[1];
  return path.startsWith(PROJECT_DIR) ? path.slice(PROJECT_DIR.length) : path;
}

/** Now on the clock V8 stamps profiles with (CLOCK_MONOTONIC, the same in every process), in µs. */
export const profileClockUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Self time by frame and by area. With `window` (µs on `profileClockUs`), only the samples taken
 * inside it count: the load, not the start-up before it.
 */
export async function summarizeProfile(path: string, top = 15, window?: { readonly startUs: number; readonly endUs: number }): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { area: string; ms: number }>();
  let totalMs = 0;
  let idleMs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.startUs || at > window.endUs)) continue;
    const node = byId.get(profile.samples[i] ?? -1);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idleMs += ms;
    const area = areaOf(url, functionName);
    const frame = `${functionName || '(anonymous)'} ${url ? `${area}:${lineNumber + 1}` : ''}`.trim();
    const entry = self.get(frame) ?? { area, ms: 0 };
    entry.ms += ms;
    self.set(frame, entry);
  }
  const busyMs = totalMs - idleMs;
  const frames = [...self.entries()]
    .filter(([frame]) => !frame.startsWith('(idle)'))
    .map(([frame, { area, ms }]) => ({ frame, area, selfMs: ms, share: ms / busyMs }))
    .sort((a, b) => b.selfMs - a.selfMs);
  const areas = new Map<string, number>();
  for (const f of frames) areas.set(f.area, (areas.get(f.area) ?? 0) + f.selfMs);
  return {
    totalMs,
    busyMs,
    frames: frames.slice(0, top),
    areas: [...areas.entries()]
      .map(([area, ms]) => ({ area, selfMs: ms, share: ms / busyMs }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top),
  };
}
