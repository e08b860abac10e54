/** What the local Step Functions keeps of an execution, in memory and on disk (store.ts). */
import type { TaskAnswer } from './callbacks.js';
import type { HistoryEvent, PendingEvent } from './history.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A `.waitForTaskToken` task whose token is not answered yet. */
export interface WaitingTaskRecord {
  readonly token: string;
  readonly stateName: string;
  /** When the task started: `TimeoutSeconds` counts from here, across restarts. Epoch ms. */
  readonly startedAt: number;
  /** The last SendTaskHeartbeat (or the start): `HeartbeatSeconds` counts from here. */
  heartbeatAt: number;
  /** The answer, once given, kept until the task has taken it. */
  answer: TaskAnswer | null;
  /**
   * The function that hands the token on has returned. Until then a restarted stack invokes it
   * again with the same token (absent in records written before this field: taken as true).
   */
  submitted?: boolean;
}

/** The top-level state the execution was in last, with its input: where a restarted stack goes on. */
export interface Checkpoint {
  readonly stateName: string;
  /** The state's raw input, as JSON. */
  readonly input: string;
}

/** One execution, as kept and persisted. Times are epoch milliseconds. */
export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  status: ExecutionStatus;
  readonly startDate: number;
  stopDate: number | null;
  readonly input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  readonly events: HistoryEvent[];
  /** Absent in records written before executions resumed. */
  checkpoint?: Checkpoint | null;
  waiting?: WaitingTaskRecord[];
  /** Tokens answered or timed out: a late answer gets TaskTimedOut, not TaskDoesNotExist. */
  closedTokens?: string[];
}

/** Numbers the event and adds it to the history. */
export function appendEvent(record: ExecutionRecord, event: PendingEvent): void {
  const id = record.events.length + 1;
  record.events.push({ timestamp: event.timestamp ?? Date.now(), type: event.type, id, previousEventId: id - 1, ...event.details });
}

/** Closes a running execution (once); its tokens still waiting died with it: a late answer gets TaskTimedOut. */
export function finishRecord(
  record: ExecutionRecord,
  status: Exclude<ExecutionStatus, 'RUNNING'>,
  fields: { output?: string; error?: string | null; cause?: string | null },
): void {
  if (record.status !== 'RUNNING') return;
  record.status = status;
  record.stopDate = Date.now();
  record.output = fields.output ?? null;
  record.error = fields.error ?? null;
  record.cause = fields.cause ?? null;
  for (const wait of record.waiting ?? []) (record.closedTokens ??= []).push(wait.token);
  record.waiting = [];
}

/** A new execution's record: RUNNING, with no history yet. */
export function newRecord(executionArn: string, stateMachineArn: string, name: string, input: string): ExecutionRecord {
  return {
    executionArn,
    stateMachineArn,
    name,
    status: 'RUNNING',
    startDate: Date.now(),
    stopDate: null,
    input,
    output: null,
    error: null,
    cause: null,
    events: [],
    checkpoint: null,
    waiting: [],
    closedTokens: [],
  };
}
