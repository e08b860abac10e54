/**
 * The pipeline's dead-letter queues on SQS: the one adapter of the dead-letter function
 * (resolvers/files/handlers/dead-letter-consumer.ts) and of `npm run dlq` (scripts/dlq.ts).
 * Reading a queue never consumes it: every message read is held out of sight while it is
 * handled and then made visible again, for the next run and for an operator to redrive.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';

/** What reading a queue sends (a test passes a fake that answers these two). */
export interface SqsReader {
  send(command: ReceiveMessageCommand | ChangeMessageVisibilityBatchCommand): Promise<{ Messages?: Message[] }>;
}

export interface ReadQueueOptions {
  /** How long each message read stays out of sight: longer than one whole read, so it is seen once. */
  readonly holdSeconds: number;
  /** Asked before each receive: false stops the read (a Lambda close to its deadline). @default always */
  readonly more?: () => boolean;
  /** Called for each message as it arrives, before the next receive. */
  readonly each?: (message: Message) => Promise<void>;
}

/**
 * Every message visible in the queue, ten at a time, with its attributes; they are made visible
 * again at the end (a failed release only leaves them out of sight until the hold ends).
 */
export async function readQueue(client: SqsReader, url: string, options: ReadQueueOptions): Promise<Message[]> {
  const held: Message[] = [];
  const seen = new Set<string>();
  try {
    while (options.more?.() ?? true) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: options.holdSeconds,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const fresh = Messages.filter((m) => m.MessageId !== undefined && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        seen.add(message.MessageId ?? '');
        held.push(message);
        await options.each?.(message);
      }
    }
  } finally {
    await release(client, url, held);
  }
  return held;
}

async function release(client: SqsReader, url: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    await client
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: batch.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 })),
        }),
      )
      // Not released: they reappear after the hold.
      .catch(() => undefined);
  }
}

export interface DeadLetterQueue {
  readonly url: string;
  readonly arn: string;
  readonly name: string;
  /** The queues that redrive into this one. */
  readonly sources: readonly string[];
  readonly visible: number;
  readonly inFlight: number;
}

/** The name at the end of a queue's ARN or URL. */
export const queueNameOf = (arnOrUrl: string): string => arnOrUrl.split(/[:/]/).at(-1) ?? arnOrUrl;

/** Every queue some queue's RedrivePolicy names, with the queues that redrive into it and its counts. */
export async function listDeadLetterQueues(client: SQSClient): Promise<DeadLetterQueue[]> {
  const { QueueUrls = [] } = await client.send(new ListQueuesCommand({}));
  const attributes = await Promise.all(
    QueueUrls.map(async (url) => ({
      url,
      attributes: (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {},
    })),
  );
  const sources = new Map<string, string[]>();
  for (const { url, attributes: a } of attributes) {
    const target = a['RedrivePolicy'] === undefined ? undefined : (JSON.parse(a['RedrivePolicy']) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    if (target !== undefined) sources.set(target, [...(sources.get(target) ?? []), queueNameOf(url)]);
  }
  return attributes
    .filter(({ attributes: a }) => sources.has(a['QueueArn'] ?? ''))
    .map(({ url, attributes: a }) => ({
      url,
      arn: a['QueueArn'] ?? '',
      name: queueNameOf(url),
      sources: sources.get(a['QueueArn'] ?? '') ?? [],
      visible: Number(a['ApproximateNumberOfMessages'] ?? 0),
      inFlight: Number(a['ApproximateNumberOfMessagesNotVisible'] ?? 0),
    }));
}

/** Moves a dead-letter queue's messages back to the queues they came from (as the SQS console's redrive does); the task's handle. */
export async function redriveQueue(client: SQSClient, queue: Pick<DeadLetterQueue, 'arn'>): Promise<string> {
  const { TaskHandle = '' } = await client.send(new StartMessageMoveTaskCommand({ SourceArn: queue.arn }));
  return TaskHandle;
}
