/**
 * Where an execution that was running when the stack stopped goes on: at the top-level state it
 * had entered last (its checkpoint), with the input that state had. The definition is the
 * state machine's with `StartAt` moved there; the timeouts that count from a past moment (the
 * execution's `TimeoutSeconds`, a waiting task's `TimeoutSeconds`) are shortened by the time
 * already spent, so a stop does not lengthen them.
 */
import { type AslDefinition, allStates } from './definitions.js';
import type { JSONValue } from './library.js';
import type { ExecutionRecord, WaitingTaskRecord } from './records.js';

export interface Resumption {
  readonly definition: AslDefinition;
  readonly input: JSONValue;
  readonly waits: readonly WaitingTaskRecord[];
  /** The state entered last, whose entry the history already has. */
  readonly resumedAt: string;
}

const remainingSeconds = (total: number, since: number, now: number) => Math.ceil(total - (now - since) / 1000);

/** How `record` goes on, or TIMED_OUT when its execution timeout passed while the stack was down. */
export function resumption(definition: AslDefinition, record: ExecutionRecord, now: number): Resumption | 'TIMED_OUT' {
  const checkpoint =
    record.checkpoint && definition.States[record.checkpoint.stateName] !== undefined
      ? record.checkpoint
      : { stateName: definition.StartAt, input: record.input };
  const copy = JSON.parse(JSON.stringify(definition)) as { -readonly [K in keyof AslDefinition]: AslDefinition[K] };
  copy.StartAt = checkpoint.stateName;
  if (typeof copy.TimeoutSeconds === 'number') {
    const left = remainingSeconds(copy.TimeoutSeconds, record.startDate, now);
    if (left <= 0) return 'TIMED_OUT';
    copy.TimeoutSeconds = left;
  }
  const waits = record.waiting ?? [];
  const states = new Map(allStates(copy));
  for (const wait of waits) {
    const state = states.get(wait.stateName) as { TimeoutSeconds?: number } | undefined;
    if (state !== undefined && typeof state.TimeoutSeconds === 'number') {
      // At least a second: the interpreter reads 0 as "no value" (its default, 60 s).
      state.TimeoutSeconds = Math.max(1, remainingSeconds(state.TimeoutSeconds, wait.startedAt, now));
    }
  }
  return { definition: copy, input: JSON.parse(checkpoint.input) as JSONValue, waits, resumedAt: checkpoint.stateName };
}
