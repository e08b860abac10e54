/**
 * The dead-letter consumer's behaviour, over ports (./dead-letters.ts wires the real ones): read
 * every step's dead-letter queue and handle each message once. A message there ran out of
 * retries, so its file is marked FAILED with the step's last error and that is announced. The
 * messages stay in the queues for an operator to list and redrive (`npm run dlq`), so every run
 * sees them again: Powertools `idempotency`, keyed on the queue and the message id, makes the
 * second and later sightings no-ops (a redriven message that fails again comes back with a new
 * id, and is a new dead letter). A message whose step another delivery may still complete is
 * not recorded as handled: a later run looks again.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { type SqsReader, readQueue } from '../adapters/sqs-dead-letters.js';
import type { DeadLetterSteps } from '../domain/dead-letter-steps.js';
import type { RequiredStep } from '../domain/model.js';
import type { PipelineLog, PipelineMetrics, StepContext } from '../domain/pipeline-runs.js';
import type { PipelineRepository } from '../domain/ports.js';
import type { Logger } from '../../shared/logger.js';
import { objectRefsOf, statusMessageOf } from './sqs-messages.js';

/** Long enough that one run never sees a message twice; released at the end of the run. */
const HOLD_SECONDS = 120;
/** Time left to the deadline at which a run stops reading. */
const RESERVE_MS = 5_000;
/**
 * A handled mark outlives the message: the dead-letter queues keep messages 14 days
 * (infra/constructs/subscriber-queue.ts; test/infra/pipeline.test.ts holds the two together).
 */
export const DEAD_LETTER_HANDLED_TTL_SECONDS = 15 * 24 * 60 * 60;

export type DeadLetterQueue =
  | { readonly kind: 'step'; readonly step: RequiredStep; readonly url: string }
  | { readonly kind: 'notify'; readonly url: string };

export interface DeadLetterSummary {
  /** Dead letters seen in this run (handled now or by an earlier run). */
  readonly messages: number;
  readonly failed: number;
}

/** What the consumer runs on: the SQS client, the queues and the pipeline's ports. */
export interface DeadLetterRuntime {
  readonly sqs: SqsReader;
  readonly queues: readonly DeadLetterQueue[];
  readonly bucket: string;
  readonly repository: Pick<PipelineRepository, 'get'>;
  readonly persistence: BasePersistenceLayer;
  readonly steps: Pick<DeadLetterSteps, 'deadLetter'>;
}

/** Thrown inside the idempotent unit so that Powertools forgets it: the step may still complete. */
class NotYetFinal extends Error {
  override readonly name = 'NotYetFinal';
}

type Handled = { readonly failed: number };
type Job = { readonly queueUrl: string; readonly messageId: string; readonly queue: DeadLetterQueue; readonly message: Message };

export function createDeadLetterConsumer(runtime: () => DeadLetterRuntime, logger: Logger, metrics: PipelineMetrics) {
  // The key is the queue and the message id; the rest of the job is not hashed.
  const config = new IdempotencyConfig({ expiresAfterSeconds: DEAD_LETTER_HANDLED_TTL_SECONDS, eventKeyJmesPath: '[queueUrl, messageId]' });
  let handleOnce: ((job: Job) => Promise<Handled>) | undefined;

  /** What this run did (a stored result of an earlier run is not counted again). */
  let tally = { failed: 0 };

  /** How many files this message marked FAILED. */
  const handle = async (queue: DeadLetterQueue, message: Message): Promise<Handled> => {
    const rt = runtime();
    const log = logger.createChild();
    log.appendPersistentKeys({ messageId: message.MessageId, deadLetterQueue: queue.url });
    metrics.count('DeadLetters');
    if (queue.kind === 'notify') {
      const status = statusMessageOf(message.Body ?? '');
      log.setCorrelationId(status.correlationId ?? message.MessageId ?? '');
      log.error('A file status could not be announced; the file record still shows it', { fileId: status.fileId, status: status.status });
      return { failed: 0 };
    }
    let failed = 0;
    let waiting = false;
    for (const ref of objectRefsOf(message.Body ?? '', rt.bucket)) {
      const record = await rt.repository.get(ref.key.split('/').at(-1) ?? '');
      log.setCorrelationId(record?.correlationId ?? message.MessageId ?? '');
      const context: StepContext = { log: log as PipelineLog, metrics };
      const outcome = await rt.steps.deadLetter(queue.step, ref, context);
      if (outcome.outcome === 'FAILED') failed += 1;
      if (outcome.outcome === 'SKIPPED' && outcome.reason === 'IN_PROGRESS') waiting = true;
      log.info('Dead letter handled', { step: queue.step, key: ref.key, outcome });
    }
    tally.failed += failed;
    if (waiting) throw new NotYetFinal('another delivery may still complete the step');
    return { failed };
  };

  return async (context: Context): Promise<DeadLetterSummary> => {
    config.registerLambdaContext(context);
    const rt = runtime();
    handleOnce ??= makeIdempotent((job: Job) => handle(job.queue, job.message), {
      persistenceStore: rt.persistence,
      config,
    });
    const once = handleOnce;
    tally = { failed: 0 };
    let messages = 0;
    for (const queue of rt.queues) {
      const read = await readQueue(rt.sqs, queue.url, {
        holdSeconds: HOLD_SECONDS,
        more: () => context.getRemainingTimeInMillis() > RESERVE_MS,
        each: async (message) => {
          try {
            // A message handled by an earlier run: Powertools returns the stored result, `handle` does not run.
            await once({ queueUrl: queue.url, messageId: message.MessageId ?? '', queue, message });
          } catch (error) {
            // Another run holds it, or the step may still complete: a later run looks again.
            if (error instanceof NotYetFinal || error instanceof IdempotencyAlreadyInProgressError) return;
            logger.error('Could not handle a dead letter; it stays in the queue', { messageId: message.MessageId, error });
          }
        },
      });
      messages += read.length;
    }
    return { messages, failed: tally.failed };
  };
}
