/**
 * `npm run dlq -- list` and `npm run dlq -- redrive [--queue <name part>]`: the dead-letter
 * queues of the stack (every queue some queue's RedrivePolicy names), their messages, and a
 * redrive back to the queues they came from (StartMessageMoveTask, as the SQS console does).
 *
 * Uses the real SQS client and the usual AWS configuration: on AWS your credentials; locally
 * `AWS_ENDPOINT_URL_SQS=http://127.0.0.1:4576` and the developer credentials `npm start` prints.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  type DeadLetterQueue,
  listDeadLetterQueues,
  queueNameOf,
  readQueue,
  redriveQueue,
} from '../resolvers/files/adapters/sqs-dead-letters.js';

export type { DeadLetterQueue };

export interface DeadLetter {
  readonly queue: string;
  readonly messageId: string;
  readonly receiveCount: number;
  readonly source: string | undefined;
  /** What the message is about: the S3 keys, or a file id. */
  readonly subject: string;
}

/** The stack's dead-letter queues: every queue some queue's RedrivePolicy names. */
export const deadLetterQueues = (client: SQSClient): Promise<DeadLetterQueue[]> => listDeadLetterQueues(client);

function subjectOf(body: string): string {
  try {
    const value = JSON.parse(body) as { Records?: { s3?: { object?: { key?: string } } }[]; fileId?: string; Message?: string };
    if (typeof value.Message === 'string') return subjectOf(value.Message);
    if (Array.isArray(value.Records)) return value.Records.map((r) => decodeURIComponent(r.s3?.object?.key ?? '?')).join(', ');
    if (typeof value.fileId === 'string') return `file ${value.fileId}`;
  } catch {
    // not JSON: shown as is
  }
  return body.slice(0, 80);
}

/** Reads every visible message of the queue, then makes them visible again (the dead-letter function's own read). */
export async function peek(client: SQSClient, queue: DeadLetterQueue): Promise<DeadLetter[]> {
  const messages = await readQueue(client, queue.url, { holdSeconds: 30 });
  return messages.map((m) => ({
    queue: queue.name,
    messageId: m.MessageId ?? '',
    receiveCount: Number(m.Attributes?.['ApproximateReceiveCount'] ?? 0),
    source: m.Attributes?.['DeadLetterQueueSourceArn'] === undefined ? undefined : queueNameOf(m.Attributes['DeadLetterQueueSourceArn']),
    subject: subjectOf(m.Body ?? ''),
  }));
}

/** Moves the messages of the matching dead-letter queues back to their sources. */
export async function redrive(client: SQSClient, filter?: string): Promise<{ queue: string; taskHandle: string }[]> {
  const queues = (await deadLetterQueues(client)).filter((q) => filter === undefined || q.name.includes(filter));
  const tasks = [];
  for (const queue of queues) {
    if (queue.visible + queue.inFlight === 0) continue;
    tasks.push({ queue: queue.name, taskHandle: await redriveQueue(client, queue) });
  }
  return tasks;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { queue: { type: 'string' } } });
  const client = new SQSClient({});
  const command = positionals[0] ?? 'list';
  if (command === 'list') {
    for (const queue of await deadLetterQueues(client)) {
      if (values.queue !== undefined && !queue.name.includes(values.queue)) continue;
      console.log(`${queue.name} (dead letters of ${queue.sources.join(', ')}): ${queue.visible} visible, ${queue.inFlight} in flight`);
      for (const letter of await peek(client, queue)) {
        console.log(`  ${letter.messageId}  received ${letter.receiveCount}x  from ${letter.source ?? '?'}  ${letter.subject}`);
      }
    }
  } else if (command === 'redrive') {
    const tasks = await redrive(client, values.queue);
    if (tasks.length === 0) console.log('Nothing to redrive.');
    for (const task of tasks) console.log(`${task.queue}: redrive started (${task.taskHandle})`);
  } else {
    console.error('usage: npm run dlq -- list|redrive [--queue <part of a queue name>]');
    process.exitCode = 2;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
