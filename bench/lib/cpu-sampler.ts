/**
 * Who used the cores during a run, from /proc (Linux): the CPU time of a process tree, thread by
 * thread, and of the whole machine, sampled at an interval so that idle stretches show.
 * Thread names come from the kernel (`comm`): the local stack names each function's thread
 * after its entry (local/lambda/worker-entry.ts) and libvips names its own ("libvips worker").
 *
 * The /proc files are read synchronously: a sample reads a few hundred of them, and through the
 * promise API (a thread-pool hop each) the sampler itself took a visible share of the 2 cores it
 * is measuring.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** USER_HZ: the unit of /proc's CPU times, 100 on every Linux Node supports. */
const TICK_MS = 10;

interface Stat {
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime of this thread, or of the process with its finished threads. */
  readonly ms: number;
}

function readStat(path: string): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone since it was listed
  }
  // The name is in parentheses and may itself hold spaces or parentheses.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // After the name: state(3) ppid(4) ... utime(14) stime(15), counted from 1 with pid and comm.
  return {
    comm: text.slice(open + 1, close),
    ppid: Number(fields[1]),
    ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
  };
}

export interface ProcessTimes {
  readonly pid: number;
  readonly comm: string;
  /** The whole process, threads that have ended included. */
  readonly ms: number;
  /** Live threads by tid. */
  readonly threads: ReadonlyMap<number, { readonly comm: string; readonly ms: number }>;
}

/** `root` and every process below it. */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(`/proc/${entry}/stat`);
    if (stat) parents.set(Number(entry), stat.ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

function processTimes(pid: number, withThreads: boolean): ProcessTimes | undefined {
  const stat = readStat(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const threads = new Map<number, { comm: string; ms: number }>();
  if (withThreads) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      // the process ended since it was listed
    }
    for (const tid of tids) {
      const thread = readStat(`/proc/${pid}/task/${tid}/stat`);
      if (thread) threads.set(Number(tid), { comm: thread.comm, ms: thread.ms });
    }
  }
  return { pid, comm: stat.comm, ms: stat.ms, threads };
}

/** Busy and total jiffies of the whole machine (/proc/stat's first line), in ms of CPU. */
function machineTimes(): { busyMs: number; totalMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = values;
  const busy = user + nice + system + irq + softirq + steal;
  return { busyMs: busy * TICK_MS, totalMs: (busy + idle + iowait) * TICK_MS };
}

export interface Interval {
  /** ms since the sampler started. */
  readonly at: number;
  readonly ms: number;
  /** Cores the tree used, and the whole machine, over this interval. */
  readonly treeCores: number;
  readonly machineCores: number;
}

export interface TreeUsage {
  readonly wallMs: number;
  readonly cores: number;
  /** Whole machine, this tree included. */
  readonly machineBusyMs: number;
  /** CPU ms of each process of the tree over the run (threads that ended included). */
  readonly processes: readonly { readonly pid: number; readonly comm: string; readonly ms: number; readonly root: boolean }[];
  /** CPU ms of each live thread of the root process over the run. */
  readonly rootThreads: readonly { readonly tid: number; readonly comm: string; readonly ms: number; readonly main: boolean }[];
  readonly intervals: readonly Interval[];
}

export interface TreeSampler {
  stop(): Promise<TreeUsage>;
}

/** Starts sampling `root` and its descendants every `everyMs`. */
export async function sampleTree(root: number, everyMs = 250): Promise<TreeSampler> {
  const cores = (await readFile('/proc/cpuinfo', 'utf8')).split('\n').filter((l) => l.startsWith('processor')).length || 1;
  const started = performance.now();
  const snapshot = async () => {
    const processes = processTree(root)
      .map((pid) => processTimes(pid, pid === root))
      .filter((p): p is ProcessTimes => p !== undefined);
    return { at: performance.now() - started, machine: machineTimes(), processes };
  };
  const first = await snapshot();
  let last = first;
  // A process or thread that starts during the run counts from zero; one that ends keeps its last sample.
  const lastSeen = new Map<number, ProcessTimes>(first.processes.map((p) => [p.pid, p]));
  const intervals: Interval[] = [];
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      const next = await snapshot();
      const treeMs = (s: typeof next) => s.processes.reduce((sum, p) => sum + p.ms, 0);
      const ms = next.at - last.at;
      if (ms > 0) {
        intervals.push({
          at: next.at,
          ms,
          treeCores: Math.max(0, treeMs(next) - treeMs(last)) / ms,
          machineCores: Math.max(0, next.machine.busyMs - last.machine.busyMs) / ms,
        });
      }
      for (const p of next.processes) lastSeen.set(p.pid, p);
      last = next;
    });
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      const end = await snapshot();
      for (const p of end.processes) lastSeen.set(p.pid, p);
      const before = new Map(first.processes.map((p) => [p.pid, p]));
      const processes = [...lastSeen.values()].map((p) => ({ pid: p.pid, comm: p.comm, ms: p.ms - (before.get(p.pid)?.ms ?? 0), root: p.pid === root }));
      const rootBefore = before.get(root);
      const rootAfter = lastSeen.get(root);
      const rootThreads = [...(rootAfter?.threads ?? new Map<number, { comm: string; ms: number }>())].map(([tid, t]) => ({
        tid,
        comm: t.comm,
        ms: t.ms - (rootBefore?.threads.get(tid)?.ms ?? 0),
        main: tid === root,
      }));
      return {
        wallMs: end.at,
        cores,
        machineBusyMs: end.machine.busyMs - first.machine.busyMs,
        processes,
        rootThreads,
        intervals,
      };
    },
  };
}

/**
 * Several runs' usage as one run of their summed time: CPU ms per process (by pid) and per root
 * thread (by tid) and the machine's busy ms are summed, and the intervals laid end to end.
 * For one process sampled in separate windows (bare sharp measured in parts); the gaps between
 * the windows are left out.
 */
export function mergeUsage(runs: readonly TreeUsage[]): TreeUsage {
  const processes = new Map<number, TreeUsage['processes'][number]>();
  const rootThreads = new Map<number, TreeUsage['rootThreads'][number]>();
  const intervals: Interval[] = [];
  let wallMs = 0;
  let machineBusyMs = 0;
  for (const run of runs) {
    for (const p of run.processes) processes.set(p.pid, { ...p, ms: (processes.get(p.pid)?.ms ?? 0) + p.ms });
    for (const t of run.rootThreads) rootThreads.set(t.tid, { ...t, ms: (rootThreads.get(t.tid)?.ms ?? 0) + t.ms });
    for (const i of run.intervals) intervals.push({ ...i, at: wallMs + i.at });
    wallMs += run.wallMs;
    machineBusyMs += run.machineBusyMs;
  }
  return { wallMs, cores: runs[0]?.cores ?? 1, machineBusyMs, processes: [...processes.values()], rootThreads: [...rootThreads.values()], intervals };
}
