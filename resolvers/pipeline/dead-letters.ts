/**
 * Lambda entry of the dead-letter consumer, run on a schedule (EventBridge). With the real SQS
 * client it reads every step's dead-letter queue: a message there ran out of retries, so its
 * file is marked FAILED with the step's last error (once: the transition is conditional, and a
 * finished file is left alone). The messages stay in the queues, released at the end of the run,
 * for an operator to list and redrive (`npm run dlq`); a redriven message reopens its step.
 * Env: FILES_TABLE, UPLOADS_BUCKET, STATUS_TOPIC_ARN, PROCESS_DLQ_URL, THUMBNAIL_DLQ_URL,
 * NOTIFY_DLQ_URL, plus runtime.ts's.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { sqsClient } from '../adapters/clients.js';
import type { RequiredStep } from '../files/model.js';
import type { PipelineLog } from '../files/pipeline-steps.js';
import { requireEnv } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { createMetrics, createTracer, metricsPort, traced } from '../shared/observability.js';
import { pipelineRuntime } from './runtime.js';
import { objectRefsOf, statusMessageOf } from './sqs-messages.js';

const SERVICE = 'dead-letters';
const logger = createLogger(SERVICE);
const metrics = createMetrics(SERVICE);
const tracer = createTracer(SERVICE);

/** Long enough that one run never sees a message twice; released at the end of the run. */
const HOLD_SECONDS = 120;
/** Time left to the deadline at which a run stops reading. */
const RESERVE_MS = 5_000;

type Queue = { readonly kind: 'step'; readonly step: RequiredStep; readonly url: string } | { readonly kind: 'notify'; readonly url: string };

export interface DeadLetterSummary {
  readonly messages: number;
  readonly failed: number;
}

export async function handler(_event: unknown, context: Context): Promise<DeadLetterSummary> {
  logger.addContext(context);
  return traced(tracer, metrics, SERVICE, async () => {
    const queues: Queue[] = [
      { kind: 'step', step: 'PROCESS', url: requireEnv('PROCESS_DLQ_URL') },
      { kind: 'step', step: 'THUMBNAIL', url: requireEnv('THUMBNAIL_DLQ_URL') },
      { kind: 'notify', url: requireEnv('NOTIFY_DLQ_URL') },
    ];
    let messages = 0;
    let failed = 0;
    for (const queue of queues) {
      const result = await drain(sqsClient(), queue, context);
      messages += result.messages;
      failed += result.failed;
    }
    if (messages > 0) logger.info('Dead-letter run', { messages, failed });
    return { messages, failed };
  });
}

async function drain(client: SQSClient, queue: Queue, context: Context): Promise<DeadLetterSummary> {
  const held: Message[] = [];
  const seen = new Set<string>();
  let failed = 0;
  try {
    while (context.getRemainingTimeInMillis() > RESERVE_MS) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: HOLD_SECONDS,
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
        failed += await handle(queue, message);
      }
    }
  } finally {
    await release(client, queue.url, held);
  }
  return { messages: held.length, failed };
}

/** Returns how many files this message marked FAILED. Never throws: one bad message must not stop the others. */
async function handle(queue: Queue, message: Message): Promise<number> {
  const rt = pipelineRuntime();
  const receiveCount = Number(message.Attributes?.['ApproximateReceiveCount'] ?? 0);
  const log = logger.createChild();
  log.appendPersistentKeys({ messageId: message.MessageId, deadLetterQueue: queue.url });
  metricsPort(metrics).count('DeadLetters');
  try {
    if (queue.kind === 'notify') {
      const status = statusMessageOf(message.Body ?? '');
      log.setCorrelationId(status.correlationId ?? message.MessageId ?? '');
      log.error('A file status could not be announced; the file record still shows it', { fileId: status.fileId, status: status.status });
      return 0;
    }
    let failed = 0;
    for (const ref of objectRefsOf(message.Body ?? '', rt.bucket)) {
      const record = await rt.repository.get(ref.key.split('/').at(-1) ?? '');
      log.setCorrelationId(record?.correlationId ?? message.MessageId ?? '');
      const outcome = await rt.steps.deadLetter(queue.step, ref, {
        log: log as PipelineLog,
        metrics: metricsPort(metrics),
        receiveCount,
      });
      if (outcome.outcome === 'FAILED') failed += 1;
      log.info('Dead letter handled', { step: queue.step, key: ref.key, outcome });
    }
    return failed;
  } catch (error) {
    log.error('Could not handle a dead letter; it stays in the queue', { error });
    return 0;
  }
}

async function release(client: SQSClient, url: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    await client
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: batch.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 })),
        }),
      )
      .catch((error: unknown) => logger.warn('Could not release dead letters; they reappear after the hold', { error }));
  }
}
