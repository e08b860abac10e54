/**
 * Execution history in the shape of GetExecutionHistory: what `aws-local-stepfunctions`
 * reports (execution and state events) plus what the local task runner adds (each attempt's
 * Task* or LambdaFunction* events), numbered in the order they happened.
 */
import type { EventLog } from './library.js';

export interface HistoryEvent {
  /** Epoch milliseconds (the API sends seconds). */
  readonly timestamp: number;
  readonly type: string;
  readonly id: number;
  readonly previousEventId: number;
  readonly [details: string]: unknown;
}

/** An event before it is numbered: its type and its `...EventDetails` member. */
export interface PendingEvent {
  readonly type: string;
  readonly timestamp?: number;
  readonly details?: Record<string, unknown>;
}

const json = (value: unknown) => JSON.stringify(value ?? null);
const dataDetails = { truncated: false };

const STATE_TYPE_PREFIX: Readonly<Record<string, string>> = {
  Task: 'Task',
  Pass: 'Pass',
  Choice: 'Choice',
  Wait: 'Wait',
  Succeed: 'Succeed',
  Fail: 'Fail',
  Map: 'Map',
  Parallel: 'Parallel',
};

/** The event AWS records for one of the library's, or null for those AWS has no counterpart of. */
export function fromLibraryEvent(event: EventLog, roleArn: string): PendingEvent | null {
  const timestamp = event.timestamp;
  switch (event.type) {
    case 'ExecutionStarted':
      return {
        type: 'ExecutionStarted',
        timestamp,
        details: { executionStartedEventDetails: { input: json(event.input), inputDetails: dataDetails, roleArn } },
      };
    case 'ExecutionSucceeded':
      return {
        type: 'ExecutionSucceeded',
        timestamp,
        details: { executionSucceededEventDetails: { output: json(event.output), outputDetails: dataDetails } },
      };
    case 'ExecutionFailed':
      return {
        type: 'ExecutionFailed',
        timestamp,
        details: { executionFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? '') } },
      };
    case 'ExecutionAborted':
      return { type: 'ExecutionAborted', timestamp, details: { executionAbortedEventDetails: {} } };
    case 'ExecutionTimeout':
      return {
        type: 'ExecutionTimedOut',
        timestamp,
        details: { executionTimedOutEventDetails: { error: 'States.Timeout' } },
      };
    case 'StateEntered':
      return {
        type: `${STATE_TYPE_PREFIX[event.state.type] ?? event.state.type}StateEntered`,
        timestamp,
        details: { stateEnteredEventDetails: { name: event.state.name, input: json(event.state.input), inputDetails: dataDetails } },
      };
    case 'StateExited':
      return {
        type: `${STATE_TYPE_PREFIX[event.state.type] ?? event.state.type}StateExited`,
        timestamp,
        details: { stateExitedEventDetails: { name: event.state.name, output: json(event.state.output), outputDetails: dataDetails } },
      };
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const key = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
      return { type: event.type, timestamp, details: { [key]: { name: event.parentState.name, index: event.index } } };
    }
    default:
      // StateFailed, StateRetried, StateCaught: AWS shows a task's failures and retries as its
      // attempts' Task* events, which the task runner records; parallel branches have no event.
      return null;
  }
}

/** Drops execution data (inputs, outputs, parameters), as `includeExecutionData: false` asks. */
export function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    const details = { ...(value as Record<string, unknown>) };
    for (const field of ['input', 'output', 'parameters', 'inputDetails', 'outputDetails']) delete details[field];
    copy[key] = details;
  }
  return copy as HistoryEvent;
}
