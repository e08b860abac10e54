/**
 * Step Functions, locally: the template's state machines run by `aws-local-stepfunctions` (an
 * Amazon States Language interpreter: Task, Retry, Catch, Choice, Map, ... and definition
 * validation), with every Task that invokes a Lambda function sent to the local function of
 * the same name. Executions are kept, with their history, and answer the API's questions
 * (api.ts serves them over HTTP).
 *
 * Faithful where it matters to callers:
 * - a standard execution's name is unique: StartExecution with the name and input of a running
 *   execution returns it, with the name of any other existing execution fails with
 *   ExecutionAlreadyExists;
 * - a Lambda function's error reaches Retry and Catch under its `errorType`, with the function's
 *   error payload as JSON in `Cause`; the `lambda:invoke` integration returns
 *   `{ExecutedVersion, Payload, StatusCode, ...}`;
 * - the state machine's role must allow `lambda:InvokeFunction` on the function;
 * - a Task without TimeoutSeconds has (practically) no timeout, as on AWS.
 * Retry intervals are the definition's, unless `retryIntervalMs` shortens them (tests).
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ExecutionTimeoutError, type JSONValue, StateMachine } from './library.js';
import { FunctionError } from '../lambda/local-function.js';
import { type AslDefinition, type AslState, type StateMachineSpec, allStates } from './definitions.js';
import {
  StepFunctionsApiError,
  executionAlreadyExists,
  executionDoesNotExist,
  invalidArn,
  invalidExecutionInput,
  invalidName,
  invalidToken,
  stateMachineDoesNotExist,
} from './errors.js';
import { type HistoryEvent, type PendingEvent, fromLibraryEvent } from './history.js';
import { executionArnOf, lambdaFunctionName } from './names.js';
import { type ExecutionStore, memoryExecutionStore } from './store.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

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
}

/** No local function has this name. */
export class FunctionNotFoundError extends Error {
  override readonly name = 'FunctionNotFoundError';
  constructor(readonly functionName: string) {
    super(`Function not found: ${functionName}`);
  }
}

export interface LocalStepFunctionsOptions {
  readonly stateMachines: readonly StateMachineSpec[];
  readonly region: string;
  readonly accountId: string;
  /** Invokes the local function of this name; rejects with FunctionError or FunctionNotFoundError. */
  readonly invokeFunction: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Whether the role (by logical id) allows `lambda:InvokeFunction` on the function ARN. */
  readonly roleAllows?: (roleLogicalId: string | undefined, action: string, resource: string) => boolean;
  /** Every retry waits this long instead of the definition's interval. @default the definition's */
  readonly retryIntervalMs?: number;
  /** @default in memory only */
  readonly store?: ExecutionStore;
  readonly log?: (line: string) => void;
}

export interface StartExecutionRequest {
  readonly stateMachineArn?: unknown;
  readonly name?: unknown;
  readonly input?: unknown;
}

/** setTimeout's limit: a Task without TimeoutSeconds waits this long (AWS: 99999999 s, i.e. none). */
const NO_TASK_TIMEOUT_SECONDS = 2_147_483;
const MAX_INPUT_BYTES = 256 * 1024;
const SAVE_DELAY_MS = 100;
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):[^:]+:[^:]+$/;

type Integration =
  | { readonly kind: 'invoke' }
  | { readonly kind: 'function'; readonly functionName: string }
  | { readonly kind: 'unsupported' };

function integrationOf(resource: string): Integration {
  if (/^arn:aws[a-z-]*:states:::lambda:invoke$/.test(resource)) return { kind: 'invoke' };
  if (/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource)) {
    return { kind: 'function', functionName: lambdaFunctionName(resource) };
  }
  return { kind: 'unsupported' };
}

/** An error as Retry and Catch see it: `name` is the error, `message` the cause. */
const taskError = (name: string, cause: string): Error => Object.assign(new Error(cause), { name });

interface Running {
  readonly record: ExecutionRecord;
  readonly closed: Promise<void>;
  abort?: () => void;
  stopRequested?: { error: string | null; cause: string | null };
}

export class LocalStepFunctions {
  readonly #options: LocalStepFunctionsOptions;
  readonly #machines = new Map<string, StateMachineSpec>();
  readonly #compiled = new Map<string, StateMachine>();
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #running = new Map<string, Running>();
  readonly #store: ExecutionStore;
  readonly #log: (line: string) => void;
  readonly #created = Date.now();
  readonly #saveScheduled = new Set<string>();
  readonly #saving = new Map<string, Promise<void>>();

  constructor(options: LocalStepFunctionsOptions) {
    this.#options = options;
    this.#store = options.store ?? memoryExecutionStore();
    this.#log = options.log ?? (() => undefined);
    for (const machine of options.stateMachines) {
      this.#machines.set(machine.arn, machine);
      // Validates the definition now: a broken one stops the local stack at start, as a
      // deployment would fail.
      this.#compiled.set(machine.arn, new StateMachine(localDefinition(machine.definition) as never));
      for (const [stateName, state] of allStates(machine.definition)) {
        if (state.Type === 'Task' && integrationOf(state.Resource ?? '').kind === 'unsupported') {
          this.#log(`${machine.name}: state ${stateName} uses ${state.Resource}, which the local Step Functions cannot run; it fails when reached`);
        }
      }
    }
  }

  /** Loads the executions kept from earlier runs. One that was running then was lost with that process: ABORTED. */
  async restore(): Promise<void> {
    for (const record of await this.#store.load()) {
      if (record.status === 'RUNNING') {
        Object.assign(record, {
          status: 'ABORTED',
          stopDate: Date.now(),
          error: 'Local.StackStopped',
          cause: 'The local stack stopped while the execution ran; local executions do not resume',
        });
        this.#append(record, { type: 'ExecutionAborted', details: { executionAbortedEventDetails: { error: record.error, cause: record.cause } } });
        await this.#store.save(record);
      }
      this.#executions.set(record.executionArn, record);
    }
  }

  get stateMachines(): readonly StateMachineSpec[] {
    return [...this.#machines.values()];
  }

  /** When the state machines were "created": the local stack's start. */
  get creationDate(): number {
    return this.#created;
  }

  startExecution(request: StartExecutionRequest): { executionArn: string; startDate: number } {
    const machine = this.stateMachine(request.stateMachineArn);
    const name = request.name === undefined || request.name === null ? randomUUID() : request.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) {
      throw invalidName(`Invalid Name: '${String(name)}'`);
    }
    const input = request.input === undefined || request.input === null ? '{}' : request.input;
    if (typeof input !== 'string') throw invalidExecutionInput('Invalid State Machine Execution Input: input must be a string');
    if (Buffer.byteLength(input) > MAX_INPUT_BYTES) {
      throw invalidExecutionInput(`Invalid State Machine Execution Input: the input exceeds ${MAX_INPUT_BYTES} bytes`);
    }
    let parsed: JSONValue;
    try {
      parsed = JSON.parse(input) as JSONValue;
    } catch {
      throw invalidExecutionInput("Invalid State Machine Execution Input: 'Unexpected token'");
    }

    const executionArn = executionArnOf(machine.arn, name, machine.type);
    // No await between this check and the set below: concurrent starts of one name see each other.
    const existing = this.#executions.get(executionArn);
    if (existing !== undefined) {
      if (machine.type === 'STANDARD' && existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: existing.startDate };
      }
      throw executionAlreadyExists(executionArn);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      startDate: Date.now(),
      stopDate: null,
      input,
      output: null,
      error: null,
      cause: null,
      events: [],
    };
    this.#executions.set(executionArn, record);
    this.#save(record);
    this.#launch(machine, record, parsed);
    return { executionArn, startDate: record.startDate };
  }

  describeExecution(executionArn: unknown): ExecutionRecord {
    if (typeof executionArn !== 'string' || !EXECUTION_ARN.test(executionArn)) throw invalidArn(`Invalid Arn: '${String(executionArn)}'`);
    const record = this.#executions.get(executionArn);
    if (record === undefined) throw executionDoesNotExist(executionArn);
    return record;
  }

  listExecutions(request: { stateMachineArn?: unknown; statusFilter?: unknown; maxResults?: unknown; nextToken?: unknown }): {
    executions: ExecutionRecord[];
    nextToken: string | null;
  } {
    const machine = this.stateMachine(request.stateMachineArn);
    const status = request.statusFilter;
    const all = [...this.#executions.values()]
      .filter((e) => e.stateMachineArn === machine.arn && (status === undefined || status === null || e.status === status))
      .sort((a, b) => b.startDate - a.startDate);
    const { items, nextToken } = page(all, request.maxResults, request.nextToken);
    return { executions: items, nextToken };
  }

  getExecutionHistory(request: { executionArn?: unknown; maxResults?: unknown; nextToken?: unknown; reverseOrder?: unknown }): {
    events: HistoryEvent[];
    nextToken: string | null;
  } {
    const record = this.describeExecution(request.executionArn);
    const events = request.reverseOrder === true ? [...record.events].reverse() : [...record.events];
    const { items, nextToken } = page(events, request.maxResults, request.nextToken);
    return { events: items, nextToken };
  }

  stopExecution(request: { executionArn?: unknown; error?: unknown; cause?: unknown }): { stopDate: number } {
    const record = this.describeExecution(request.executionArn);
    const running = this.#running.get(record.executionArn);
    if (running !== undefined && record.status === 'RUNNING') {
      running.stopRequested = {
        error: typeof request.error === 'string' ? request.error : null,
        cause: typeof request.cause === 'string' ? request.cause : null,
      };
      running.abort?.();
    }
    return { stopDate: record.stopDate ?? Date.now() };
  }

  stateMachine(arn: unknown): StateMachineSpec {
    if (typeof arn !== 'string' || !STATE_MACHINE_ARN.test(arn)) throw invalidArn(`Invalid Arn: '${String(arn)}'`);
    const machine = this.#machines.get(arn);
    if (machine === undefined) throw stateMachineDoesNotExist(arn);
    return machine;
  }

  /** Resolves with the execution once it has closed (for tests and tools). */
  async waitForExecution(executionArn: string): Promise<ExecutionRecord> {
    await this.#running.get(executionArn)?.closed;
    return this.describeExecution(executionArn);
  }

  /** Stops every running execution (ABORTED) and saves it. */
  async close(): Promise<void> {
    const running = [...this.#running.values()];
    for (const run of running) {
      run.stopRequested = { error: 'Local.StackStopped', cause: 'The local stack stopped while the execution ran' };
      run.abort?.();
    }
    await Promise.race([Promise.all(running.map((r) => r.closed)), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    await this.flush();
  }

  #launch(machine: StateMachineSpec, record: ExecutionRecord, input: JSONValue): void {
    let close!: () => void;
    const running: Running = { record, closed: new Promise<void>((resolve) => (close = resolve)) };
    this.#running.set(record.executionArn, running);
    void this.#run(machine, running, input)
      .catch((error: unknown) => {
        // A failure of the interpreter itself, not of the execution's states.
        this.#finish(record, 'FAILED', { error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        this.#running.delete(record.executionArn);
        this.#save(record);
        close();
      });
  }

  async #run(machine: StateMachineSpec, running: Running, input: JSONValue): Promise<void> {
    const { record } = running;
    const compiled = this.#compiled.get(machine.arn)!;
    const taskResourceLocalHandlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
    const retryIntervalOverrides: Record<string, number> = {};
    for (const [stateName, state] of allStates(machine.definition)) {
      if (state.Type === 'Task') taskResourceLocalHandlers[stateName] = this.#taskHandler(machine, stateName, state, running);
      if (state.Retry !== undefined && this.#options.retryIntervalMs !== undefined) {
        retryIntervalOverrides[stateName] = this.#options.retryIntervalMs;
      }
    }
    const execution = compiled.run(input, {
      overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: record.executionArn,
          Input: input,
          Name: record.name,
          RoleArn: machine.roleArn,
          StartTime: new Date(record.startDate).toISOString(),
          RedriveCount: 0,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    running.abort = execution.abort;

    const consumed = (async () => {
      for await (const event of execution.eventLogs) {
        const pending = fromLibraryEvent(event, machine.roleArn);
        if (pending !== null && record.status === 'RUNNING') this.#append(record, pending);
        if (event.type === 'ExecutionFailed') {
          record.error = event.Error;
          record.cause = String(event.Cause ?? '');
        }
      }
    })();

    let outcome: { ok: true; value: JSONValue } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await execution.result };
    } catch (error) {
      outcome = { ok: false, error };
    }
    await consumed;

    if (running.stopRequested !== undefined) {
      const { error, cause } = running.stopRequested;
      if (!record.events.some((e) => e.type === 'ExecutionAborted')) {
        this.#append(record, { type: 'ExecutionAborted', details: { executionAbortedEventDetails: { ...(error ? { error } : {}), ...(cause ? { cause } : {}) } } });
      }
      this.#finish(record, 'ABORTED', { error, cause });
    } else if (outcome.ok) {
      this.#finish(record, 'SUCCEEDED', { output: JSON.stringify(outcome.value) });
    } else if (outcome.error instanceof ExecutionTimeoutError) {
      this.#finish(record, 'TIMED_OUT', { error: 'States.Timeout', cause: null });
    } else {
      const cause = (outcome.error as { cause?: unknown }).cause;
      this.#finish(record, 'FAILED', {
        error: record.error ?? (cause instanceof Error ? cause.name : 'States.Runtime'),
        cause: record.cause ?? (cause instanceof Error ? cause.message : String(outcome.error)),
      });
    }
  }

  /** Runs one attempt of a Task state, recording its events as AWS does. */
  #taskHandler(machine: StateMachineSpec, stateName: string, state: AslState, running: Running) {
    const resource = state.Resource ?? '';
    const integration = integrationOf(resource);
    const timeoutSeconds =
      typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : state.TimeoutSecondsPath === undefined ? NO_TASK_TIMEOUT_SECONDS : null;
    const { record } = running;

    return async (input: JSONValue): Promise<JSONValue> => {
      let abandoned = false;
      const add = (type: string, details: Record<string, unknown>) => {
        if (!abandoned && record.status === 'RUNNING') this.#append(record, { type, details });
      };
      const timer =
        timeoutSeconds === null
          ? undefined
          : setTimeout(() => {
              // The interpreter fails the state with States.Timeout at the same moment.
              add(integration.kind === 'function' ? 'LambdaFunctionTimedOut' : 'TaskTimedOut', {
                [integration.kind === 'function' ? 'lambdaFunctionTimedOutEventDetails' : 'taskTimedOutEventDetails']: {
                  ...(integration.kind === 'function' ? {} : { resourceType: 'lambda', resource: 'invoke' }),
                  error: 'States.Timeout',
                },
              });
              abandoned = true;
            }, timeoutSeconds * 1000);
      // Set before the interpreter sets its own (it calls this first), so it fires first.
      timer?.unref();
      try {
        // Let the interpreter's own events (this state's entry) reach the history first.
        await nextTurn();
        switch (integration.kind) {
          case 'invoke':
            return await this.#invokeIntegration(machine, stateName, input, timeoutSeconds, add);
          case 'function':
            return await this.#invokeFunctionResource(machine, integration.functionName, resource, input, timeoutSeconds, add);
          case 'unsupported':
            throw taskError('Local.UnsupportedResource', `The local Step Functions cannot run the resource ${resource} (state ${stateName})`);
        }
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    };
  }

  /** `arn:aws:states:::lambda:invoke`: Parameters {FunctionName, Payload, InvocationType?}. */
  async #invokeIntegration(
    machine: StateMachineSpec,
    stateName: string,
    input: JSONValue,
    timeoutSeconds: number | null,
    add: (type: string, details: Record<string, unknown>) => void,
  ): Promise<JSONValue> {
    const parameters = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, JSONValue>;
    const common = { resourceType: 'lambda', resource: 'invoke' };
    add('TaskScheduled', {
      taskScheduledEventDetails: {
        ...common,
        region: this.#options.region,
        parameters: JSON.stringify(parameters),
        ...(timeoutSeconds === null || timeoutSeconds === NO_TASK_TIMEOUT_SECONDS ? {} : { timeoutInSeconds: timeoutSeconds }),
      },
    });
    add('TaskStarted', { taskStartedEventDetails: common });
    const functionName = parameters['FunctionName'];
    try {
      if (typeof functionName !== 'string') {
        throw taskError('States.Runtime', `State ${stateName}: lambda:invoke needs Parameters.FunctionName`);
      }
      const requestId = randomUUID();
      let payload: JSONValue;
      if (parameters['InvocationType'] === 'Event') {
        void this.#invoke(machine, functionName, parameters['Payload'] ?? {}).catch(() => undefined);
        payload = '';
      } else {
        payload = await this.#invoke(machine, functionName, parameters['Payload'] ?? {});
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
      add('TaskSucceeded', { taskSucceededEventDetails: { ...common, output: JSON.stringify(output), outputDetails: { truncated: false } } });
      return output;
    } catch (error) {
      const failure = error instanceof Error ? error : taskError('States.Runtime', String(error));
      add('TaskFailed', { taskFailedEventDetails: { ...common, error: failure.name, cause: failure.message } });
      throw failure;
    }
  }

  /** A Lambda function ARN as the Resource: the state's input is the payload, the result the output. */
  async #invokeFunctionResource(
    machine: StateMachineSpec,
    functionName: string,
    resource: string,
    input: JSONValue,
    timeoutSeconds: number | null,
    add: (type: string, details: Record<string, unknown>) => void,
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
      const failure = error instanceof Error ? error : taskError('States.Runtime', String(error));
      add('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: failure.name, cause: failure.message } });
      throw failure;
    }
  }

  /** Invokes as the state machine's role: its policy must allow it, and errors are named as Step Functions names them. */
  async #invoke(machine: StateMachineSpec, nameOrArn: string, payload: JSONValue): Promise<JSONValue> {
    const name = lambdaFunctionName(nameOrArn);
    const functionArn = `arn:aws:lambda:${this.#options.region}:${this.#options.accountId}:function:${name}`;
    const allows = this.#options.roleAllows ?? (() => true);
    if (!allows(machine.roleLogicalId, 'lambda:InvokeFunction', functionArn)) {
      throw taskError(
        'Lambda.AWSLambdaException',
        `User: ${machine.roleArn} is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn} because no identity-based policy allows the lambda:InvokeFunction action (Service: Lambda, Status Code: 403)`,
      );
    }
    try {
      const result = await this.#options.invokeFunction(name, JSON.parse(JSON.stringify(payload ?? null)));
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

  #append(record: ExecutionRecord, event: PendingEvent): void {
    const id = record.events.length + 1;
    record.events.push({ timestamp: event.timestamp ?? Date.now(), type: event.type, id, previousEventId: id - 1, ...event.details });
    // A running execution's history is readable from disk too (local/stepfunctions/cli.ts), a moment later.
    if (!this.#saveScheduled.has(record.executionArn)) {
      this.#saveScheduled.add(record.executionArn);
      setTimeout(() => {
        this.#saveScheduled.delete(record.executionArn);
        this.#save(record);
      }, SAVE_DELAY_MS).unref();
    }
  }

  /** Saves in order: a save starts once the previous save of the same execution is done. */
  #save(record: ExecutionRecord): void {
    const previous = this.#saving.get(record.executionArn) ?? Promise.resolve();
    const next = previous
      .then(() => this.#store.save(record))
      .catch((error: unknown) => this.#log(`stepfunctions: could not save ${record.executionArn}: ${String(error)}`));
    this.#saving.set(record.executionArn, next);
    void next.finally(() => {
      if (this.#saving.get(record.executionArn) === next) this.#saving.delete(record.executionArn);
    });
  }

  /** Resolves when every save started so far is done. */
  async flush(): Promise<void> {
    await Promise.all([...this.#saving.values()]);
  }

  #finish(
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
  }
}

/**
 * The definition as the interpreter runs it: a Task without a timeout gets the longest one a
 * timer allows (the interpreter would otherwise apply 60 s; AWS applies none).
 */
function localDefinition(definition: AslDefinition): AslDefinition {
  const copy = JSON.parse(JSON.stringify(definition)) as AslDefinition;
  for (const [, state] of allStates(copy)) {
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      (state as { TimeoutSeconds?: number }).TimeoutSeconds = NO_TASK_TIMEOUT_SECONDS;
    }
  }
  return copy;
}

/** Offset paging with an opaque token; `maxResults` 1..1000, default 100 (0 means the default). */
function page<T>(items: readonly T[], maxResults: unknown, nextToken: unknown): { items: T[]; nextToken: string | null } {
  const size = maxResults === undefined || maxResults === null || maxResults === 0 ? 100 : Number(maxResults);
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw new StepFunctionsApiError('ValidationException', `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
  }
  let start = 0;
  if (nextToken !== undefined && nextToken !== null) {
    const text = typeof nextToken === 'string' && /^[A-Za-z0-9_-]+$/.test(nextToken) ? Buffer.from(nextToken, 'base64url').toString('utf8') : '';
    if (!/^\d+$/.test(text)) throw invalidToken(`Invalid Token: '${String(nextToken)}'`);
    start = Number(text);
  }
  const slice = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : null;
  return { items: slice, nextToken: next };
}
