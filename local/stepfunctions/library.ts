/**
 * `aws-local-stepfunctions`, and the types it uses but does not export.
 */
import { ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';

export { ExecutionTimeoutError, StateMachine };

type Run = StateMachine['run'];
export type JSONValue = Parameters<Run>[0];
export type EventLog = ReturnType<Run>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
