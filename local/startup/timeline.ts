/**
 * Where start-up time goes: named phases with their start and end, in ms since this process
 * started (`performance.now()` counts from the process's time origin, so the first phase's start
 * is what node and tsx took before the stack's code ran). Phases overlap when they run in
 * parallel; the report shows them as they ran.
 *
 * With LOCAL_STACK_TIMELINE=<file>, `npm start` writes the timeline there as JSON once it is
 * ready (the start-up benchmark reads it as its evidence).
 */
import { writeFile } from 'node:fs/promises';

export interface Phase {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
}

export const TIMELINE_ENV = 'LOCAL_STACK_TIMELINE';

export class Timeline {
  readonly #phases: Phase[] = [];

  /** Runs `work` as the phase `name`; a failed phase is recorded too (its end is when it failed). */
  async phase<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const startMs = performance.now();
    try {
      return await work();
    } finally {
      this.#phases.push({ name, startMs, endMs: performance.now() });
    }
  }

  /** A phase measured elsewhere (e.g. a child process's own figure), or an instant when start = end. */
  record(name: string, startMs: number, endMs = startMs): void {
    this.#phases.push({ name, startMs, endMs });
  }

  get phases(): readonly Phase[] {
    return [...this.#phases].sort((a, b) => a.startMs - b.startMs);
  }
}

/** One line per phase, `   812 -> 3,410 ms  synth (2,598 ms)`, in start order. */
export function formatTimeline(phases: readonly Phase[]): string {
  const ms = (n: number) => Math.round(n).toLocaleString('en-US');
  const width = Math.max(0, ...phases.map((p) => ms(p.endMs).length));
  return phases
    .map((p) => `${ms(p.startMs).padStart(width)} -> ${ms(p.endMs).padStart(width)} ms  ${p.name} (${ms(p.endMs - p.startMs)} ms)`)
    .join('\n');
}

export async function writeTimelineIfAsked(timeline: Timeline): Promise<void> {
  const path = process.env[TIMELINE_ENV];
  if (!path) return;
  await writeFile(path, `${JSON.stringify({ phases: timeline.phases }, null, 2)}\n`);
}
