/**
 * CPU time of a sampled run split by where it went (cpu-sampler.ts): the local stack's main
 * thread, each function's thread (named after its entry), the rest of its threads and its child
 * processes (DynamoDB Local's JVM); or a plain process's main and other threads.
 */
import { basename, extname } from 'node:path';
import type { TreeUsage } from './cpu-sampler.js';

export const JVM_PART = 'DynamoDB Local (JVM)';

/** The kernel's name of a function's thread: its entry's base name, at most 15 characters. */
export const threadNameOf = (entry: string): string => basename(entry, extname(entry)).slice(0, 15);

/** How a report names the parts of the stack's process that are not a function's thread. */
export interface PartNames {
  readonly main: string;
  /** The rest of the process's threads, and those that ended during the run (in its total only). */
  readonly other: string;
  /** Threads (by kernel name) given a part of their own, such as libvips' workers. */
  readonly threads?: Readonly<Record<string, string>>;
}

const STACK_PARTS: PartNames = {
  main: 'stack main thread (HTTP, auth, GraphQL engine)',
  other: 'other stack threads (libuv, V8 GC and compiler, ended threads)',
};

/** CPU ms by part of the local stack's process tree. */
export function stackParts(usage: TreeUsage, functionThreads: ReadonlySet<string>, names: PartNames = STACK_PARTS): Map<string, number> {
  const parts = new Map<string, number>();
  const add = (part: string, ms: number) => parts.set(part, (parts.get(part) ?? 0) + ms);
  const root = usage.processes.find((p) => p.root);
  let threadsMs = 0;
  for (const t of usage.rootThreads) {
    threadsMs += t.ms;
    if (t.main) add(names.main, t.ms);
    else if (functionThreads.has(t.comm)) add(`function \`${t.comm}\` (its JS thread)`, t.ms);
    else add(names.threads?.[t.comm] ?? names.other, t.ms);
  }
  add(names.other, Math.max(0, (root?.ms ?? 0) - threadsMs));
  for (const p of usage.processes) if (!p.root) add(p.comm === 'java' ? JVM_PART : `child process \`${p.comm}\``, p.ms);
  return parts;
}

/** CPU ms of one plain process: its main thread and the rest. */
export function processParts(usage: TreeUsage, label: string): Map<string, number> {
  const root = usage.processes.find((p) => p.root);
  const main = usage.rootThreads.find((t) => t.main)?.ms ?? 0;
  return new Map([
    [`${label}: main thread`, main],
    [`${label}: other threads (libuv, V8 GC and compiler)`, Math.max(0, (root?.ms ?? 0) - main)],
  ]);
}

/** Parts summed over several runs, divided by the requests they served: ms per request. */
export function perRequest(runs: readonly { readonly parts: ReadonlyMap<string, number>; readonly requests: number }[]): { part: string; ms: number }[] {
  const total = new Map<string, number>();
  let requests = 0;
  for (const run of runs) {
    requests += run.requests;
    for (const [part, ms] of run.parts) total.set(part, (total.get(part) ?? 0) + ms);
  }
  if (requests === 0) return [];
  return [...total].map(([part, ms]) => ({ part, ms: ms / requests })).sort((a, b) => b.ms - a.ms);
}
