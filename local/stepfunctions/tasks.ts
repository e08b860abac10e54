/**
 * One attempt of a Task state, as the local Step Functions runs it: the Lambda integrations
 * (`lambda:invoke`, `lambda:invoke.waitForTaskToken`, a function ARN as the Resource), with the
 * events AWS records for each attempt.
 *
 * `.waitForTaskToken`: the token the Parameters read from `$$.Task.Token` goes to the function;
 * the task then waits for SendTaskSuccess / SendTaskFailure, failing with
 * `States.HeartbeatTimeout` when `HeartbeatSeconds` pass without a SendTaskHeartbeat (the
 * interpreter fails it with `States.Timeout` once `TimeoutSeconds` pass). The waiting task is
 * written to the execution's record, so that a restarted stack waits on the same token.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { FunctionError } from '../lambda/local-function.js';
import { type TaskAnswer, type WaitingTasks, newTaskToken } from './callbacks.js';
import { type AslState, type StateMachineSpec, integrationOf } from './definitions.js';
import { lambdaFunctionName } from './names.js';
import type { JSONValue } from './library.js';
import type { ExecutionRecord, WaitingTaskRecord } from './records.js';

/** setTimeout's limit: a Task without TimeoutSeconds waits this long (AWS: 99999999 s, i.e. none). */
export const NO_TASK_TIMEOUT_SECONDS = 2_147_483;

/** No local function has this name. */
export class FunctionNotFoundError extends Error {
  override readonly name = 'FunctionNotFoundError';
  constructor(readonly functionName: string) {
    super(`Function not found: ${functionName}`);
  }
}

/** An error as Retry and Catch see it: `name` is the error, `message` the cause. */
export const taskError = (name: string, cause: string): Error => Object.assign(new Error(cause), { name });

/** One execution's run, as the task runner sees it. */
export interface TaskRun {
  readonly record: ExecutionRecord;
  readonly machine: StateMachineSpec;
  /** The token `$$.Task.Token` handed out and no task took yet. */
  pendingToken: string | null;
  /** Tasks that waited when the stack stopped, by state name: picked up instead of invoking again. */
  readonly resumedWaits: Map<string, WaitingTaskRecord>;
  /** The stack stopped: nothing more is recorded for this run. */
  detached: boolean;
  /** Aborted when the execution stops or the stack does: waiting tasks stop waiting. */
  readonly signal: AbortSignal;
}

export interface TaskRunnerOptions {
  readonly region: string;
  readonly accountId: string;
  readonly invokeFunction: (functionName: string, payload: unknown) => Promise<unknown>;
  readonly roleAllows?: (roleLogicalId: string | undefined, action: string, resource: string) => boolean;
  readonly waiting: WaitingTasks;
  readonly append: (record: ExecutionRecord, type: string, details: Record<string, unknown>) => void;
  /** Writes the record now, after any earlier write; resolves once it is on disk. */
  readonly saveNow: (record: ExecutionRecord) => Promise<void>;
}

type Add = (type: string, details: Record<string, unknown>) => void;
const COMMON = { resourceType: 'lambda', resource: 'invoke' };
const WAIT_COMMON = { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' };

export class TaskRunner {
  readonly #o: TaskRunnerOptions;

  constructor(options: TaskRunnerOptions) {
    this.#o = options;
  }

  /** The local handler of one Task state, for the interpreter's `taskResourceLocalHandlers`. */
  handler(stateName: string, state: AslState, run: TaskRun): (input: JSONValue) => Promise<JSONValue> {
    const resource = state.Resource ?? '';
    const integration = integrationOf(resource);
    const timeoutSeconds =
      typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : state.TimeoutSecondsPath === undefined ? NO_TASK_TIMEOUT_SECONDS : null;
    const { record } = run;

    return async (input: JSONValue): Promise<JSONValue> => {
      // The token `$$.Task.Token` produced for this attempt's Parameters (read synchronously before this call).
      const token = run.pendingToken;
      run.pendingToken = null;
      let abandoned = false;
      const attempt = new AbortController();
      const cancelled = AbortSignal.any([attempt.signal, run.signal]);
      const add: Add = (type, details) => {
        if (!abandoned && !run.detached && record.status === 'RUNNING') this.#o.append(record, type, details);
      };
      const timer =
        timeoutSeconds === null
          ? undefined
          : setTimeout(() => {
              // The interpreter fails the state with States.Timeout at the same moment.
              const fn = integration.kind === 'function';
              add(fn ? 'LambdaFunctionTimedOut' : 'TaskTimedOut', {
                [fn ? 'lambdaFunctionTimedOutEventDetails' : 'taskTimedOutEventDetails']: {
                  ...(fn ? {} : integration.kind === 'invokeWaitForToken' ? WAIT_COMMON : COMMON),
                  error: 'States.Timeout',
                },
              });
              abandoned = true;
              attempt.abort();
            }, timeoutSeconds * 1000);
      // Set before the interpreter sets its own (it calls this first), so it fires first.
      timer?.unref();
      try {
        // Let the interpreter's own events (this state's entry) reach the history, and the
        // checkpoint they make reach the disk, before the task does anything.
        await nextTurn();
        // The interpreter retries a failed state even after its execution was aborted (its retry
        // wait returns at once on abort): a stopped stack's attempt must neither invoke a function
        // nor write the record a restarted stack now owns. It settles never; the run is over.
        if (run.detached) return await new Promise<never>(() => undefined);
        await this.#o.saveNow(record);
        switch (integration.kind) {
          case 'invoke':
            return await this.#invokeIntegration(run, stateName, input, timeoutSeconds, add);
          case 'invokeWaitForToken':
            return await this.#waitForTaskToken(run, stateName, state, input, token, timeoutSeconds, add, () => abandoned, cancelled);
          case 'function':
            return await this.#invokeFunctionResource(run.machine, integration.functionName, resource, input, timeoutSeconds, add);
          case 'unsupported':
            throw taskError('Local.UnsupportedResource', `The local Step Functions cannot run the resource ${resource} (state ${stateName})`);
        }
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    };
  }

  /** `arn:aws:states:::lambda:invoke`: Parameters {FunctionName, Payload, InvocationType?}. */
  async #invokeIntegration(run: TaskRun, stateName: string, input: JSONValue, timeoutSeconds: number | null, add: Add): Promise<JSONValue> {
    const parameters = asObject(input);
    add('TaskScheduled', scheduled(this.#o.region, COMMON, parameters, timeoutSeconds, null));
    add('TaskStarted', { taskStartedEventDetails: COMMON });
    try {
      const functionName = functionNameOf(parameters, stateName);
      const requestId = randomUUID();
      let payload: JSONValue;
      if (parameters['InvocationType'] === 'Event') {
        void this.#invoke(run.machine, functionName, parameters['Payload'] ?? {}).catch(() => undefined);
        payload = '';
      } else {
        payload = await this.#invoke(run.machine, functionName, parameters['Payload'] ?? {});
      }
      const statusCode = parameters['InvocationType'] === 'Event' ? 202 : 200;
      const output: JSONValue = {
        ExecutedVersion: '$LATEST',
        Payload: payload,
        SdkHttpMetadata: {
          AllHttpHeaders: { 'X-Amz-Executed-Version': ['$LATEST'], 'x-amzn-RequestId': [requestId] },
          HttpHeaders: { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId },
          HttpStatusCode: statusCode,
        },
        SdkResponseMetadata: { RequestId: requestId },
        StatusCode: statusCode,
      };
      add('TaskSucceeded', { taskSucceededEventDetails: { ...COMMON, output: JSON.stringify(output), outputDetails: { truncated: false } } });
      return output;
    } catch (error) {
      const failure = asError(error);
      add('TaskFailed', { taskFailedEventDetails: { ...COMMON, error: failure.name, cause: failure.message } });
      throw failure;
    }
  }

  /**
   * `arn:aws:states:::lambda:invoke.waitForTaskToken`: invokes the function with the token in
   * its payload, then waits for the token's answer. The answer's output is the task's result.
   */
  async #waitForTaskToken(
    run: TaskRun,
    stateName: string,
    state: AslState,
    input: JSONValue,
    issued: string | null,
    timeoutSeconds: number | null,
    add: Add,
    abandoned: () => boolean,
    cancelled: AbortSignal,
  ): Promise<JSONValue> {
    const { record } = run;
    const heartbeatSeconds = typeof state['HeartbeatSeconds'] === 'number' ? (state['HeartbeatSeconds'] as number) : null;
    const resumed = run.resumedWaits.get(stateName);
    run.resumedWaits.delete(stateName);
    let wait: WaitingTaskRecord;
    if (resumed !== undefined) {
      // The function was invoked before the stack stopped: wait on the token it was given.
      wait = resumed;
    } else {
      const token = issued ?? newTaskToken(record.executionArn);
      const parameters = asObject(input);
      add('TaskScheduled', scheduled(this.#o.region, WAIT_COMMON, parameters, timeoutSeconds, heartbeatSeconds));
      add('TaskStarted', { taskStartedEventDetails: WAIT_COMMON });
      const now = Date.now();
      wait = { token, stateName, startedAt: now, heartbeatAt: now, answer: null, submitted: false };
      (record.waiting ??= []).push(wait);
      // On disk before the function hands the token on: after a stop or a crash from here on,
      // the next start knows the token the answer will name.
      await this.#o.saveNow(record);
    }
    // A stop came between the token's issue and the function's return: the function may not have
    // handed the token on, so it is invoked again with the same token (functions run at least once).
    const invokeAgain = resumed !== undefined && resumed.submitted === false;

    type Outcome = TaskAnswer | { readonly kind: 'heartbeatTimeout' } | { readonly kind: 'cancelled' };
    let answered!: (answer: Outcome) => void;
    const outcome = new Promise<Outcome>((resolve) => (answered = resolve));
    const onCancel = () => answered({ kind: 'cancelled' });
    cancelled.addEventListener('abort', onCancel, { once: true });
    let heartbeatTimer: NodeJS.Timeout | undefined;
    const armHeartbeat = () => {
      if (heartbeatSeconds === null) return;
      clearTimeout(heartbeatTimer);
      const left = wait.heartbeatAt + heartbeatSeconds * 1000 - Date.now();
      heartbeatTimer = setTimeout(() => answered({ kind: 'heartbeatTimeout' }), Math.max(0, left));
      heartbeatTimer.unref();
    };
    this.#o.waiting.register(wait.token, {
      answer: (answer) => {
        // Kept with the execution first: a stack stopped right after still has the answer.
        wait.answer = answer;
        void this.#o.saveNow(record).finally(() => answered(answer));
      },
      heartbeat: () => {
        wait.heartbeatAt = Date.now();
        armHeartbeat();
      },
    });
    if (wait.answer !== null && wait.answer !== undefined) answered(wait.answer);
    if (cancelled.aborted) answered({ kind: 'cancelled' });
    armHeartbeat();

    try {
      if (resumed === undefined || invokeAgain) {
        try {
          const functionName = functionNameOf(asObject(input), stateName);
          const payload = asObject(input)['Payload'] ?? {};
          await this.#invoke(run.machine, functionName, invokeAgain && issued !== null ? replacedText(payload, issued, wait.token) : payload);
        } catch (error) {
          const failure = asError(error);
          add('TaskFailed', { taskFailedEventDetails: { ...WAIT_COMMON, error: failure.name, cause: failure.message } });
          throw failure;
        }
        add('TaskSubmitted', { taskSubmittedEventDetails: { ...WAIT_COMMON, output: '{}', outputDetails: { truncated: false } } });
        wait.submitted = true;
        await this.#o.saveNow(record);
      }
      const result = await outcome;
      switch (result.kind) {
        case 'success':
          add('TaskSucceeded', { taskSucceededEventDetails: { ...WAIT_COMMON, output: result.output, outputDetails: { truncated: false } } });
          return JSON.parse(result.output) as JSONValue;
        case 'failure':
          add('TaskFailed', { taskFailedEventDetails: { ...WAIT_COMMON, error: result.error ?? '', cause: result.cause ?? '' } });
          throw taskError(result.error ?? '', result.cause ?? '');
        case 'heartbeatTimeout':
          add('TaskTimedOut', { taskTimedOutEventDetails: { ...WAIT_COMMON, error: 'States.HeartbeatTimeout' } });
          throw taskError('States.HeartbeatTimeout', `No heartbeat for ${heartbeatSeconds} seconds`);
        case 'cancelled':
          // The task timed out or the execution stopped: the interpreter has moved on already.
          throw taskError('States.Timeout', 'The task no longer waits');
      }
      throw taskError('States.Runtime', 'unreachable');
    } finally {
      cancelled.removeEventListener('abort', onCancel);
      clearTimeout(heartbeatTimer);
      this.#o.waiting.close(wait.token);
      // A stopped stack keeps the waiting task for the next start; anything else closes it.
      if (!run.detached || abandoned()) {
        record.waiting = (record.waiting ?? []).filter((w) => w.token !== wait.token);
        (record.closedTokens ??= []).push(wait.token);
      }
    }
  }

  /** A Lambda function ARN as the Resource: the state's input is the payload, the result the output. */
  async #invokeFunctionResource(
    machine: StateMachineSpec,
    functionName: string,
    resource: string,
    input: JSONValue,
    timeoutSeconds: number | null,
    add: Add,
  ): Promise<JSONValue> {
    add('LambdaFunctionScheduled', {
      lambdaFunctionScheduledEventDetails: {
        resource,
        input: JSON.stringify(input),
        inputDetails: { truncated: false },
        ...(timeoutSeconds === null || timeoutSeconds === NO_TASK_TIMEOUT_SECONDS ? {} : { timeoutInSeconds: timeoutSeconds }),
      },
    });
    add('LambdaFunctionStarted', {});
    try {
      const output = await this.#invoke(machine, functionName, input);
      add('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: JSON.stringify(output), outputDetails: { truncated: false } } });
      return output;
    } catch (error) {
      const failure = asError(error);
      add('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: failure.name, cause: failure.message } });
      throw failure;
    }
  }

  /** Invokes as the state machine's role: its policy must allow it, and errors are named as Step Functions names them. */
  async #invoke(machine: StateMachineSpec, nameOrArn: string, payload: JSONValue): Promise<JSONValue> {
    const name = lambdaFunctionName(nameOrArn);
    const functionArn = `arn:aws:lambda:${this.#o.region}:${this.#o.accountId}:function:${name}`;
    const allows = this.#o.roleAllows ?? (() => true);
    if (!allows(machine.roleLogicalId, 'lambda:InvokeFunction', functionArn)) {
      throw taskError(
        'Lambda.AWSLambdaException',
        `User: ${machine.roleArn} is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn} because no identity-based policy allows the lambda:InvokeFunction action (Service: Lambda, Status Code: 403)`,
      );
    }
    try {
      const result = await this.#o.invokeFunction(name, JSON.parse(JSON.stringify(payload ?? null)));
      return (result === undefined ? null : JSON.parse(JSON.stringify(result))) as JSONValue;
    } catch (error) {
      if (error instanceof FunctionError) {
        // What Lambda returns for a function error, and Step Functions passes on as the cause.
        const { errorType, errorMessage, trace } = error.payload;
        throw taskError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
      }
      if (error instanceof FunctionNotFoundError) {
        throw taskError('Lambda.ResourceNotFoundException', `Function not found: ${functionArn} (Service: Lambda, Status Code: 404)`);
      }
      throw taskError('Lambda.ServiceException', error instanceof Error ? error.message : String(error));
    }
  }
}

/**
 * The context object (`$$`) of a run. `$$.Task.Token` is a fresh token each time a task's
 * Parameters read it (each attempt); the task handler, called right after, takes it.
 */
export function contextObject(record: ExecutionRecord, machine: StateMachineSpec, run: TaskRun): Record<string, JSONValue | object> {
  return {
    Execution: {
      Id: record.executionArn,
      Input: JSON.parse(record.input) as JSONValue,
      Name: record.name,
      RoleArn: machine.roleArn,
      StartTime: new Date(record.startDate).toISOString(),
      RedriveCount: 0,
    },
    StateMachine: { Id: machine.arn, Name: machine.name },
    Task: {
      get Token(): string {
        return (run.pendingToken ??= newTaskToken(record.executionArn));
      },
    },
  };
}

const asObject = (input: JSONValue): Record<string, JSONValue> =>
  (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, JSONValue>;

const asError = (error: unknown): Error => (error instanceof Error ? error : taskError('States.Runtime', String(error)));

/** `value` with every string equal to `from` replaced by `to` (a re-issued token by the one kept). */
function replacedText(value: JSONValue, from: string, to: string): JSONValue {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((item) => replacedText(item, from, to));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replacedText(item as JSONValue, from, to)]));
  }
  return value;
}

function functionNameOf(parameters: Record<string, JSONValue>, stateName: string): string {
  const functionName = parameters['FunctionName'];
  if (typeof functionName !== 'string') throw taskError('States.Runtime', `State ${stateName}: lambda:invoke needs Parameters.FunctionName`);
  return functionName;
}

function scheduled(
  region: string,
  common: Record<string, string>,
  parameters: Record<string, JSONValue>,
  timeoutSeconds: number | null,
  heartbeatSeconds: number | null,
): Record<string, unknown> {
  return {
    taskScheduledEventDetails: {
      ...common,
      region,
      parameters: JSON.stringify(parameters),
      ...(timeoutSeconds === null || timeoutSeconds === NO_TASK_TIMEOUT_SECONDS ? {} : { timeoutInSeconds: timeoutSeconds }),
      ...(heartbeatSeconds === null ? {} : { heartbeatInSeconds: heartbeatSeconds }),
    },
  };
}
