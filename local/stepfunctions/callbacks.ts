/**
 * Task tokens of `.waitForTaskToken` tasks: issued when a task state's Parameters read
 * `$$.Task.Token`, answered through SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat.
 *
 * A token names its execution (so the API can authorize the answer against the execution's
 * state machine, as IAM does with `states:SendTaskSuccess` on the state machine ARN) and is
 * otherwise random. A token is answered once: a second answer, or an answer after the task
 * timed out, gets TaskTimedOut ("The task token has either expired or the task associated with
 * the token has already been closed").
 */
import { randomUUID } from 'node:crypto';
import { StepFunctionsApiError, invalidToken } from './errors.js';

/** What a waiting task receives: the output of SendTaskSuccess, or the error of SendTaskFailure. */
export type TaskAnswer =
  | { readonly kind: 'success'; readonly output: string }
  | { readonly kind: 'failure'; readonly error: string | null; readonly cause: string | null };

const MAX_TOKEN_LENGTH = 2048;
const MAX_OUTPUT_BYTES = 262_144;

export const taskTimedOut = () =>
  new StepFunctionsApiError('TaskTimedOut', 'Task Timed Out: the task token has either expired or the task associated with the token has already been closed');
export const taskDoesNotExist = () => new StepFunctionsApiError('TaskDoesNotExist', 'Task Does Not Exist');

/** `base64url(executionArn).random`: opaque to callers, but the service can tell whose it is. */
export function newTaskToken(executionArn: string): string {
  return `${Buffer.from(executionArn).toString('base64url')}.${randomUUID().replaceAll('-', '')}${randomUUID().replaceAll('-', '')}`;
}

/** The execution a token belongs to; InvalidToken when it is not one of ours. */
export function executionOfToken(token: unknown): string {
  if (typeof token !== 'string' || token.length < 1 || token.length > MAX_TOKEN_LENGTH) {
    throw invalidToken('Invalid Token: the task token must be 1 to 2048 characters');
  }
  const [head, tail] = token.split('.');
  const arn = head === undefined ? '' : Buffer.from(head, 'base64url').toString('utf8');
  if (tail === undefined || !/^[0-9a-f]{64}$/.test(tail) || !arn.startsWith('arn:')) throw invalidToken('Invalid Token: the task token is malformed');
  return arn;
}

/** Checks SendTaskSuccess's `output`: a JSON text of at most 256 KiB. */
export function validTaskOutput(output: unknown): string {
  if (typeof output !== 'string') throw new StepFunctionsApiError('InvalidOutput', 'Invalid Output: output must be a JSON string');
  if (Buffer.byteLength(output) > MAX_OUTPUT_BYTES) throw new StepFunctionsApiError('InvalidOutput', `Invalid Output: the output exceeds ${MAX_OUTPUT_BYTES} bytes`);
  try {
    JSON.parse(output);
  } catch {
    throw new StepFunctionsApiError('InvalidOutput', 'Invalid Output: output is not valid JSON');
  }
  return output;
}

interface Waiter {
  readonly answer: (answer: TaskAnswer) => void;
  readonly heartbeat: () => void;
}

/** The tokens of the tasks waiting now, in this process. */
export class WaitingTasks {
  readonly #waiting = new Map<string, Waiter>();

  /** Registers a waiting task; `heartbeat` is called on each SendTaskHeartbeat. */
  register(token: string, waiter: Waiter): void {
    this.#waiting.set(token, waiter);
  }

  /** The task no longer waits (answered, timed out, aborted). */
  close(token: string): void {
    this.#waiting.delete(token);
  }

  has(token: string): boolean {
    return this.#waiting.has(token);
  }

  answer(token: string, answer: TaskAnswer): boolean {
    const waiter = this.#waiting.get(token);
    if (waiter === undefined) return false;
    this.#waiting.delete(token);
    waiter.answer(answer);
    return true;
  }

  heartbeat(token: string): boolean {
    const waiter = this.#waiting.get(token);
    if (waiter === undefined) return false;
    waiter.heartbeat();
    return true;
  }
}

export type TaskAnswerOperation = 'SendTaskSuccess' | 'SendTaskFailure' | 'SendTaskHeartbeat';

interface TokenOwner {
  readonly status: string;
  readonly waiting?: readonly { readonly token: string }[];
  readonly closedTokens?: readonly string[];
}

/** The token, when a task of an existing execution waits on it now; else the error AWS answers. */
function openToken(token: unknown, executionOf: (arn: string) => TokenOwner | undefined, waiting: WaitingTasks): string {
  const record = executionOf(executionOfToken(token));
  if (record === undefined) throw taskDoesNotExist();
  const text = token as string;
  if (waiting.has(text)) return text;
  if (record.status !== 'RUNNING' || (record.closedTokens ?? []).includes(text) || (record.waiting ?? []).some((w) => w.token === text)) {
    // Answered, timed out, or its execution closed.
    throw taskTimedOut();
  }
  throw taskDoesNotExist();
}

function optionalText(value: unknown, max: number, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) {
    throw new StepFunctionsApiError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
  return value;
}

/**
 * SendTaskSuccess (`output`: the task's result), SendTaskFailure (`error`, `cause`: what Retry
 * and Catch see), SendTaskHeartbeat (the task's `HeartbeatSeconds` count again from now).
 */
export function answerTask(
  operation: TaskAnswerOperation,
  request: Record<string, unknown>,
  executionOf: (arn: string) => TokenOwner | undefined,
  waiting: WaitingTasks,
): Record<string, never> {
  const token = openToken(request['taskToken'], executionOf, waiting);
  let done: boolean;
  switch (operation) {
    case 'SendTaskSuccess':
      done = waiting.answer(token, { kind: 'success', output: validTaskOutput(request['output']) });
      break;
    case 'SendTaskFailure':
      done = waiting.answer(token, {
        kind: 'failure',
        error: optionalText(request['error'], 256, 'error'),
        cause: optionalText(request['cause'], 32_768, 'cause'),
      });
      break;
    case 'SendTaskHeartbeat':
      done = waiting.heartbeat(token);
      break;
  }
  if (!done) throw taskTimedOut();
  return {};
}
