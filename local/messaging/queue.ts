/**
 * An SQS standard queue in memory, with the delivery semantics the SQS developer guide
 * documents:
 * - at-least-once: a received message stays in the queue, invisible for the visibility timeout,
 *   until it is deleted with its most recent receipt handle (an older handle "succeeds" and
 *   deletes nothing);
 * - every receive increments ApproximateReceiveCount; a message received `maxReceiveCount`
 *   times is moved to the dead-letter queue on its next receive attempt, keeping its id, body,
 *   attributes and enqueue time, with `DeadLetterQueueSourceArn` added;
 * - messages expire `MessageRetentionPeriod` after they were first sent (also in the DLQ);
 * - DelaySeconds, ChangeMessageVisibility (0 to 12 hours), long polling (WaitTimeSeconds).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type AttributeValue, md5Hex, md5OfMessageAttributes } from './md5.js';
import type { JournalEntry, JournaledMessage, QueueJournal } from './queue-journal.js';

export const MAX_VISIBILITY_TIMEOUT_SECONDS = 12 * 60 * 60;

export interface QueueSpec {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly delaySeconds: number;
  readonly receiveWaitSeconds: number;
  readonly redrive: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number } | undefined;
}

/** An SQS error in the wire protocol's terms. */
export class SqsError extends Error {
  constructor(
    readonly code: string,
    readonly queryCode: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

type Stored = JournaledMessage;

export interface ReceivedMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly MD5OfBody: string;
  readonly Body: string;
  readonly Attributes: Record<string, string>;
  readonly MD5OfMessageAttributes?: string;
  readonly MessageAttributes?: Record<string, AttributeValue>;
}

export interface SendInput {
  readonly body: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly delaySeconds?: number;
  readonly senderId: string;
}

export interface ReceiveInput {
  readonly maxMessages?: number;
  readonly visibilityTimeoutSeconds?: number;
  readonly waitSeconds?: number;
  /** System attribute names to return (`All` for every one). */
  readonly attributeNames?: readonly string[];
  /** Message attribute names to return (`All`, `.*` or `prefix.*` patterns). */
  readonly messageAttributeNames?: readonly string[];
  readonly signal?: AbortSignal;
}

export type QueueLookup = (arn: string) => LocalQueue | undefined;

export class LocalQueue {
  readonly #messages: Stored[] = [];
  readonly #waiters = new Set<() => void>();
  readonly createdAt = Date.now();

  constructor(
    readonly spec: QueueSpec,
    private readonly lookup: QueueLookup,
    private readonly now: () => number = Date.now,
    /** Keeps the messages on disk across restarts (local/messaging/queue-journal.ts); none: in memory. */
    private readonly journal?: QueueJournal,
  ) {
    if (journal) this.#messages.push(...journal.load());
  }

  #record(entry: JournalEntry): void {
    this.journal?.append(entry, () => this.#messages);
  }

  send(input: SendInput): { MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string } {
    if (input.body.length === 0) throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', 'The request must contain the parameter MessageBody.');
    const delay = input.delaySeconds ?? this.spec.delaySeconds;
    if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
      throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', 'DelaySeconds must be from 0 to 900.');
    }
    const stored = this.#store({
      id: randomUUID(),
      body: input.body,
      attributes: input.attributes ?? {},
      sentAt: this.now(),
      senderId: input.senderId,
      deadLetterSourceArn: undefined,
      visibleAt: this.now() + delay * 1000,
    });
    return {
      MessageId: stored.id,
      MD5OfMessageBody: stored.md5OfBody,
      ...(stored.md5OfAttributes === undefined ? {} : { MD5OfMessageAttributes: stored.md5OfAttributes }),
    };
  }

  async receive(input: ReceiveInput = {}): Promise<ReceivedMessage[]> {
    const max = input.maxMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', 'MaxNumberOfMessages must be from 1 to 10.');
    }
    const visibility = input.visibilityTimeoutSeconds ?? this.spec.visibilityTimeoutSeconds;
    checkVisibility(visibility);
    const wait = input.waitSeconds ?? this.spec.receiveWaitSeconds;
    if (wait < 0 || wait > 20) throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', 'WaitTimeSeconds must be from 0 to 20.');
    const deadline = this.now() + wait * 1000;
    for (;;) {
      const received = this.#take(max, visibility, input);
      if (received.length > 0 || this.now() >= deadline || input.signal?.aborted) return received;
      await this.#waitForChange(Math.min(deadline - this.now(), this.#nextVisibleIn() ?? Infinity, 1000), input.signal);
    }
  }

  /** Deletes the message if `receiptHandle` is its latest; an old handle succeeds without effect. */
  delete(receiptHandle: string): void {
    const id = messageIdOf(receiptHandle);
    const index = this.#messages.findIndex((m) => m.id === id);
    const message = this.#messages[index];
    if (message !== undefined && message.receiptHandle === receiptHandle) {
      this.#messages.splice(index, 1);
      this.#record({ op: 'delete', id: message.id });
    }
  }

  changeVisibility(receiptHandle: string, seconds: number): void {
    checkVisibility(seconds);
    const id = messageIdOf(receiptHandle);
    const message = this.#messages.find((m) => m.id === id);
    if (message === undefined || message.receiptHandle !== receiptHandle) {
      throw new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The receipt handle "${receiptHandle}" is not valid for this queue.`);
    }
    if (message.visibleAt <= this.now()) {
      throw new SqsError('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 'The message is not in flight.');
    }
    message.visibleAt = this.now() + seconds * 1000;
    this.#record({ op: 'visibility', id: message.id, visibleAt: message.visibleAt });
    if (seconds === 0) this.#wake();
  }

  /**
   * The local stack's retry delay (see the event source mapping): a message that failed in an
   * invocation becomes visible after `ms` instead of the rest of its visibility timeout.
   */
  shortenVisibility(receiptHandle: string, ms: number): void {
    const id = messageIdOf(receiptHandle);
    const message = this.#messages.find((m) => m.id === id);
    if (message === undefined || message.receiptHandle !== receiptHandle) return;
    message.visibleAt = Math.min(message.visibleAt, this.now() + ms);
    this.#record({ op: 'visibility', id: message.id, visibleAt: message.visibleAt });
    setTimeout(() => this.#wake(), ms + 1).unref();
  }

  purge(): void {
    this.#messages.length = 0;
    this.#record({ op: 'purge' });
  }

  /** What GetQueueAttributes reports. */
  attributes(): Record<string, string> {
    this.#expire();
    const now = this.now();
    const inFlight = this.#messages.filter((m) => m.receiptHandle !== undefined && m.visibleAt > now).length;
    const delayed = this.#messages.filter((m) => m.receiptHandle === undefined && m.visibleAt > now).length;
    return {
      QueueArn: this.spec.arn,
      ApproximateNumberOfMessages: String(this.#messages.length - inFlight - delayed),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      VisibilityTimeout: String(this.spec.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(this.spec.retentionSeconds),
      DelaySeconds: String(this.spec.delaySeconds),
      ReceiveMessageWaitTimeSeconds: String(this.spec.receiveWaitSeconds),
      MaximumMessageSize: '262144',
      CreatedTimestamp: String(Math.floor(this.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(this.createdAt / 1000)),
      SqsManagedSseEnabled: 'true',
      ...(this.spec.redrive === undefined
        ? {}
        : {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: this.spec.redrive.deadLetterTargetArn,
              maxReceiveCount: this.spec.redrive.maxReceiveCount,
            }),
          }),
    };
  }

  /**
   * Moves every visible message to `target` (a redrive, as StartMessageMoveTask does): each
   * arrives as a new message with its body and attributes. Returns how many moved.
   */
  moveVisibleTo(target: (message: { body: string; attributes: Readonly<Record<string, AttributeValue>>; sourceArn: string | undefined }) => void): number {
    this.#expire();
    const now = this.now();
    const movable = this.#messages.filter((m) => m.visibleAt <= now);
    for (const message of movable) {
      target({ body: message.body, attributes: message.attributes, sourceArn: message.deadLetterSourceArn });
      this.#messages.splice(this.#messages.indexOf(message), 1);
      this.#record({ op: 'delete', id: message.id });
    }
    return movable.length;
  }

  /** Takes a message moved here from `sourceArn` (a dead letter), keeping what it was. */
  acceptDeadLetter(message: Stored, sourceArn: string): void {
    this.#store({ ...message, deadLetterSourceArn: sourceArn, visibleAt: this.now() });
  }

  #store(input: Omit<Stored, 'md5OfBody' | 'md5OfAttributes' | 'receiveCount' | 'firstReceiveAt' | 'receiptHandle'> & Partial<Pick<Stored, 'receiveCount' | 'firstReceiveAt'>>): Stored {
    const stored: Stored = {
      ...input,
      md5OfBody: md5Hex(input.body),
      md5OfAttributes: md5OfMessageAttributes(input.attributes),
      receiveCount: input.receiveCount ?? 0,
      firstReceiveAt: input.firstReceiveAt,
      receiptHandle: undefined,
    };
    this.#messages.push(stored);
    this.#record({ op: 'put', message: stored });
    this.#wake();
    return stored;
  }

  #take(max: number, visibility: number, input: ReceiveInput): ReceivedMessage[] {
    this.#expire();
    const now = this.now();
    const taken: ReceivedMessage[] = [];
    for (const message of [...this.#messages]) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      const redrive = this.spec.redrive;
      if (redrive !== undefined && message.receiveCount >= redrive.maxReceiveCount) {
        const target = this.lookup(redrive.deadLetterTargetArn);
        if (target !== undefined) {
          // Into the dead-letter queue first: a crash between the two writes repeats, never loses.
          target.acceptDeadLetter(message, this.spec.arn);
          this.#messages.splice(this.#messages.indexOf(message), 1);
          this.#record({ op: 'delete', id: message.id });
          continue;
        }
      }
      message.receiveCount += 1;
      message.firstReceiveAt ??= now;
      message.visibleAt = now + visibility * 1000;
      message.receiptHandle = receiptHandleFor(message.id);
      this.#record({ op: 'receive', id: message.id, receiveCount: message.receiveCount, firstReceiveAt: message.firstReceiveAt, visibleAt: message.visibleAt, receiptHandle: message.receiptHandle });
      taken.push(this.#view(message, input));
    }
    return taken;
  }

  #view(message: Stored, input: ReceiveInput): ReceivedMessage {
    const system: Record<string, string> = {
      SenderId: message.senderId,
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt ?? message.sentAt),
      ...(message.deadLetterSourceArn === undefined ? {} : { DeadLetterQueueSourceArn: message.deadLetterSourceArn }),
    };
    const wanted = input.attributeNames ?? [];
    const attributes = Object.fromEntries(
      Object.entries(system).filter(([name]) => wanted.includes('All') || wanted.includes(name)),
    );
    const patterns = input.messageAttributeNames ?? [];
    const messageAttributes = Object.fromEntries(
      Object.entries(message.attributes).filter(([name]) =>
        patterns.some((p) => p === 'All' || p === '.*' || p === name || (p.endsWith('.*') && name.startsWith(p.slice(0, -1)))),
      ),
    );
    const withAttributes = Object.keys(messageAttributes).length > 0;
    return {
      MessageId: message.id,
      ReceiptHandle: message.receiptHandle ?? '',
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      Attributes: attributes,
      ...(withAttributes && message.md5OfAttributes !== undefined
        ? { MD5OfMessageAttributes: message.md5OfAttributes, MessageAttributes: messageAttributes }
        : {}),
    };
  }

  #expire(): void {
    const cutoff = this.now() - this.spec.retentionSeconds * 1000;
    for (let i = this.#messages.length - 1; i >= 0; i -= 1) {
      const message = this.#messages[i];
      if (message !== undefined && message.sentAt < cutoff) {
        this.#messages.splice(i, 1);
        this.#record({ op: 'delete', id: message.id });
      }
    }
  }

  #nextVisibleIn(): number | undefined {
    const now = this.now();
    const times = this.#messages.map((m) => m.visibleAt - now).filter((ms) => ms > 0);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #waitForChange(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      this.#waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function checkVisibility(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', `VisibilityTimeout must be an integer from 0 to ${MAX_VISIBILITY_TIMEOUT_SECONDS}.`);
  }
}

/** A new handle for each receive; the message id is recoverable from it. */
function receiptHandleFor(messageId: string): string {
  return Buffer.from(`${messageId}:${randomBytes(12).toString('hex')}`).toString('base64url');
}

function messageIdOf(receiptHandle: string): string {
  const decoded = Buffer.from(receiptHandle, 'base64url').toString('utf8');
  const id = decoded.split(':')[0] ?? '';
  if (!/^[0-9a-f-]{36}$/.test(id)) {
    throw new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`);
  }
  return id;
}
