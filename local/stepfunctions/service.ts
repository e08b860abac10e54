/**
 * Step Functions, locally: the template's state machines run by `aws-local-stepfunctions` (an
 * Amazon States Language interpreter: Task, Retry, Catch, Choice, Parallel, Map, ... and
 * definition validation), with every Task that invokes a Lambda function sent to the local
 * function of the same name (tasks.ts). Executions are kept, with their history, and answer the
 * API's questions (api.ts serves them over HTTP).
 *
 * Faithful where it matters to callers:
 * - a standard execution's name is unique: StartExecution with the name and input of a running
 *   execution returns it, with the name of any other existing execution fails with
 *   ExecutionAlreadyExists;
 * - a Lambda function's error reaches Retry and Catch under its `errorType`, with the function's
 *   error payload as JSON in `Cause`; the `lambda:invoke` integration returns
 *   `{ExecutedVersion, Payload, StatusCode, ...}`;
 * - `.waitForTaskToken` tasks wait for SendTaskSuccess / SendTaskFailure, with heartbeats and
 *   timeouts (callbacks.ts, tasks.ts);
 * - the state machine's role must allow `lambda:InvokeFunction` on the function;
 * - a Task without TimeoutSeconds has (practically) no timeout, as on AWS;
 * - a standard execution outlives the process: each top-level state's entry is written to the
 *   state folder before the state acts, and a stack started again on that folder goes on from
 *   there (a waiting task waits on for the same token). See docs/orders.md for what differs.
 * Retry intervals are the definition's, unless `retryIntervalMs` shortens them (tests).
 */
import { ExecutionTimeoutError, type JSONValue, StateMachine } from './library.js';
import { type TaskAnswerOperation, WaitingTasks, answerTask, executionOfToken } from './callbacks.js';
import { localDefinition, page } from './paging.js';
import { type StateMachineSpec, allStates, integrationOf } from './definitions.js';
import { executionAlreadyExists, executionDoesNotExist, invalidArn, stateMachineDoesNotExist } from './errors.js';
import { type HistoryEvent, type PendingEvent, fromLibraryEvent } from './history.js';
import { executionArnOf } from './names.js';
import { type ExecutionRecord, type WaitingTaskRecord, appendEvent, finishRecord, newRecord } from './records.js';
import { executionInputOf, executionNameOf } from './start-request.js';
import { type Resumption, resumption } from './resume.js';
import { type ExecutionStore, RecordSaver, memoryExecutionStore } from './store.js';
import { type TaskRun, TaskRunner, contextObject } from './tasks.js';

export type { ExecutionRecord, ExecutionStatus } from './records.js';
export { FunctionNotFoundError } from './tasks.js';

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

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):[^:]+:[^:]+$/;

interface Running {
  readonly record: ExecutionRecord;
  readonly closed: Promise<void>;
  readonly task: TaskRun;
  readonly cancel: AbortController;
  abort?: () => void;
  stopRequested?: { error: string | null; cause: string | null };
}

export class LocalStepFunctions {
  readonly #options: LocalStepFunctionsOptions;
  readonly #machines = new Map<string, StateMachineSpec>();
  readonly #compiled = new Map<string, StateMachine>();
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #running = new Map<string, Running>();
  /** Executions restored as running, launched by `resume()`. */
  readonly #resumable: (() => void)[] = [];
  readonly #store: ExecutionStore;
  readonly #log: (line: string) => void;
  readonly #created = Date.now();
  readonly #saver: RecordSaver;
  readonly #waiting = new WaitingTasks();
  readonly #tasks: TaskRunner;

  constructor(options: LocalStepFunctionsOptions) {
    this.#options = options;
    this.#store = options.store ?? memoryExecutionStore();
    this.#log = options.log ?? (() => undefined);
    this.#saver = new RecordSaver(this.#store, this.#log);
    this.#tasks = new TaskRunner({
      region: options.region,
      accountId: options.accountId,
      invokeFunction: options.invokeFunction,
      ...(options.roleAllows === undefined ? {} : { roleAllows: options.roleAllows }),
      waiting: this.#waiting,
      append: (record, type, details) => this.#append(record, { type, details }),
      saveNow: (record) => this.#saver.saveNow(record),
    });
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

  /**
   * Loads the executions kept from earlier runs. One that was running when the stack stopped
   * goes on from the state it had entered last, once `resume()` is called; one whose state
   * machine is gone is ABORTED. Its waiting tasks take answers from now on.
   */
  async restore(): Promise<void> {
    for (const record of await this.#store.load()) {
      this.#executions.set(record.executionArn, record);
      if (record.status !== 'RUNNING') continue;
      const machine = this.#machines.get(record.stateMachineArn);
      const resumed = machine === undefined ? null : resumption(machine.definition, record, Date.now());
      if (machine === undefined || resumed === null) {
        finishRecord(record, 'ABORTED', { error: 'Local.StateMachineGone', cause: 'The state machine is no longer in the template' });
        this.#append(record, { type: 'ExecutionAborted', details: { executionAbortedEventDetails: { error: record.error, cause: record.cause } } });
        this.#saver.save(record);
      } else if (resumed === 'TIMED_OUT') {
        this.#append(record, { type: 'ExecutionTimedOut', details: { executionTimedOutEventDetails: { error: 'States.Timeout' } } });
        finishRecord(record, 'TIMED_OUT', { error: 'States.Timeout', cause: null });
        this.#saver.save(record);
      } else {
        this.#log(`stepfunctions: ${record.executionArn} goes on at ${resumed.resumedAt}`);
        this.#keepAnswers(record, resumed.waits);
        this.#resumable.push(() => this.#launch(machine, record, resumed.input, resumed));
      }
    }
  }

  /**
   * Runs the executions `restore()` found running. Called once the rest of the stack is up: a
   * resumed state invokes functions at once, and one invoked before it is built fails for good.
   */
  resume(): void {
    for (const launch of this.#resumable.splice(0)) launch();
  }

  /** A resumed task waits from now on, before its state is reached again: an answer is kept for it. */
  #keepAnswers(record: ExecutionRecord, waits: readonly WaitingTaskRecord[]): void {
    for (const wait of waits) {
      this.#waiting.register(wait.token, {
        answer: (answer) => {
          wait.answer = answer;
          void this.#saver.saveNow(record);
        },
        heartbeat: () => (wait.heartbeatAt = Date.now()),
      });
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
    const name = executionNameOf(request.name);
    const { text: input, value: parsed } = executionInputOf(request.input);

    const executionArn = executionArnOf(machine.arn, name, machine.type);
    // No await between this check and the set below: concurrent starts of one name see each other.
    const existing = this.#executions.get(executionArn);
    if (existing !== undefined) {
      if (machine.type === 'STANDARD' && existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: existing.startDate };
      }
      throw executionAlreadyExists(executionArn);
    }
    const record = newRecord(executionArn, machine.arn, name, input);
    this.#executions.set(executionArn, record);
    this.#saver.save(record);
    this.#launch(machine, record, parsed, null);
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
      running.cancel.abort();
      running.abort?.();
    }
    return { stopDate: record.stopDate ?? Date.now() };
  }

  /** The state machine a task token's execution belongs to (what IAM authorizes SendTask* on). */
  stateMachineOfToken(token: unknown): string {
    const executionArn = executionOfToken(token);
    const record = this.#executions.get(executionArn);
    return record?.stateMachineArn ?? '*';
  }

  /** SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat (callbacks.ts). */
  answerTask(operation: TaskAnswerOperation, request: Record<string, unknown>): Record<string, never> {
    return answerTask(operation, request, (arn) => this.#executions.get(arn), this.#waiting);
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

  /**
   * Stops interpreting: every running execution is written as it stands (RUNNING, with its
   * checkpoint and waiting tasks) for the next start to go on with.
   */
  async close(): Promise<void> {
    const running = [...this.#running.values()];
    for (const run of running) {
      run.task.detached = true;
      run.cancel.abort();
      run.abort?.();
    }
    await Promise.race([Promise.all(running.map((r) => r.closed)), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    await this.#saver.close();
  }

  #launch(machine: StateMachineSpec, record: ExecutionRecord, input: JSONValue, resumed: Resumption | null): void {
    let close!: () => void;
    const cancel = new AbortController();
    const task: TaskRun = {
      record,
      machine,
      pendingToken: null,
      resumedWaits: new Map((resumed?.waits ?? []).map((wait) => [wait.stateName, wait])),
      detached: false,
      signal: cancel.signal,
    };
    const running: Running = { record, task, cancel, closed: new Promise<void>((resolve) => (close = resolve)) };
    this.#running.set(record.executionArn, running);
    void this.#run(machine, running, input, resumed)
      .catch((error: unknown) => {
        // A failure of the interpreter itself, not of the execution's states.
        if (!task.detached) finishRecord(record, 'FAILED', { error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        this.#running.delete(record.executionArn);
        this.#saver.save(record);
        close();
      });
  }

  async #run(machine: StateMachineSpec, running: Running, input: JSONValue, resumed: Resumption | null): Promise<void> {
    const { record, task } = running;
    const definition = resumed === null ? machine.definition : resumed.definition;
    const compiled =
      resumed === null
        ? this.#compiled.get(machine.arn)!
        : new StateMachine(localDefinition(resumed.definition) as never, { validationOptions: { noValidate: true } });
    const taskResourceLocalHandlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
    const retryIntervalOverrides: Record<string, number> = {};
    for (const [stateName, state] of allStates(definition)) {
      if (state.Type === 'Task') taskResourceLocalHandlers[stateName] = this.#tasks.handler(stateName, state, task);
      if (state.Retry !== undefined && this.#options.retryIntervalMs !== undefined) {
        retryIntervalOverrides[stateName] = this.#options.retryIntervalMs;
      }
    }
    const execution = compiled.run(input, {
      overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
      noThrowOnAbort: true,
      context: contextObject(record, machine, task),
    });
    running.abort = execution.abort;

    const consumed = (async () => {
      // A resumed run repeats the start and the entry of the state it goes on at: the history has both.
      let skipEntry = resumed !== null;
      for await (const event of execution.eventLogs) {
        if (task.detached) continue;
        if (resumed !== null && event.type === 'ExecutionStarted') continue;
        if (event.type === 'StateEntered' && machine.definition.States[event.state.name] !== undefined) {
          if (skipEntry && event.state.name === resumed?.resumedAt) {
            skipEntry = false;
            continue;
          }
          // A top-level state's entry is where a restarted stack goes on.
          record.checkpoint = { stateName: event.state.name, input: JSON.stringify(event.state.input ?? null) };
          this.#saver.save(record);
        }
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

    if (task.detached) return;
    if (running.stopRequested !== undefined) {
      const { error, cause } = running.stopRequested;
      if (!record.events.some((e) => e.type === 'ExecutionAborted')) {
        this.#append(record, { type: 'ExecutionAborted', details: { executionAbortedEventDetails: { ...(error ? { error } : {}), ...(cause ? { cause } : {}) } } });
      }
      finishRecord(record, 'ABORTED', { error, cause });
    } else if (outcome.ok) {
      finishRecord(record, 'SUCCEEDED', { output: JSON.stringify(outcome.value) });
    } else if (outcome.error instanceof ExecutionTimeoutError) {
      finishRecord(record, 'TIMED_OUT', { error: 'States.Timeout', cause: null });
    } else {
      const cause = (outcome.error as { cause?: unknown }).cause;
      finishRecord(record, 'FAILED', {
        error: record.error ?? (cause instanceof Error ? cause.name : 'States.Runtime'),
        cause: record.cause ?? (cause instanceof Error ? cause.message : String(outcome.error)),
      });
    }
  }

  #append(record: ExecutionRecord, event: PendingEvent): void {
    appendEvent(record, event);
    // A running execution's history is readable from disk too (local/stepfunctions/cli.ts), a moment later.
    this.#saver.saveSoon(record);
  }

  /** Resolves when every save started so far is done. */
  flush(): Promise<void> {
    return this.#saver.flush();
  }
}
