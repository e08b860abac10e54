/**
 * The Lambda behaviour shared by the PROCESS and THUMBNAIL functions: an SQS batch (from the
 * step's own queue, subscribed to the uploads topic) processed with Powertools `batch`, so a
 * failed record is reported in `batchItemFailures` and only it is retried; each S3 object event
 * run once per (bucket, key, version/sequencer) with Powertools `idempotency`; every log line of
 * a record under the upload's correlation id (the file record's, the same value the object's
 * `x-amz-meta-correlation-id` carries). The record is read once per delivery, here, and handed to
 * the step, which does not read it again.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseOriginalKey } from '../domain/keys.js';
import type { FileRecord, RequiredStep } from '../domain/model.js';
import type { ObjectRef, StepContext, StepOutcome } from '../domain/pipeline-runs.js';
import type { PipelineSteps } from '../domain/pipeline-steps.js';
import type { PipelineRepository } from '../domain/ports.js';
import { type Logger, createLogger } from '../../shared/logger.js';
import { createMetrics, createTracer, metricsPort, traced } from './observability.js';
import { objectRefsOf, receiveCountOf } from './sqs-messages.js';

/** Idempotency records live a day: longer than any redelivery of the same event. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export type StepHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What a step's function runs on (./pipeline-runtime.ts builds it on AWS): fakes in tests. */
export interface StepRuntime {
  readonly bucket: string;
  readonly repository: Pick<PipelineRepository, 'get'>;
  readonly persistence: BasePersistenceLayer;
  readonly steps: Pick<PipelineSteps, 'run'>;
}

export function createStepHandler(step: RequiredStep, serviceName: string, runtime: () => StepRuntime): StepHandler {
  const logger = createLogger(serviceName);
  const metrics = createMetrics(serviceName);
  const tracer = createTracer(serviceName);
  const processor = new BatchProcessor(EventType.SQS);
  const config = new IdempotencyConfig({ expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS });
  let runOnce: ((ref: ObjectRef, context: StepContext) => Promise<StepOutcome>) | undefined;

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const rt = runtime();
    runOnce ??= makeIdempotent((ref: ObjectRef, context: StepContext) => rt.steps.run(step, ref, context), {
      persistenceStore: rt.persistence,
      config,
    });
    const refs = objectRefsOf(record.body, rt.bucket);
    if (refs.length === 0) {
      logger.info('No ObjectCreated record of the uploads bucket in the message; ignored', { messageId: record.messageId });
      return;
    }
    for (const ref of refs) {
      const file = await readRecord(rt, ref);
      const log = recordLogger(logger, ref, record, step, file);
      metricsPort(metrics).count('Messages');
      try {
        const outcome = await runOnce(
          // Exactly the idempotency key: bucket, key and the version (or, unversioned, the sequencer).
          { bucket: ref.bucket, key: ref.key, sequencer: ref.sequencer, versionId: ref.versionId },
          // Not part of the key (Powertools hashes the first argument only).
          { log, metrics: metricsPort(metrics), record: file },
        );
        log.info('Step outcome', { outcome });
      } catch (error) {
        if (error instanceof IdempotencyAlreadyInProgressError) {
          log.info('The same event is being processed by another delivery; this one will be retried');
        } else {
          log.error('Step failed; the message returns to the queue', { error, receiveCount: receiveCountOf(record) });
        }
        throw error;
      }
    }
  };

  return async (event, context) => {
    logger.addContext(context);
    config.registerLambdaContext(context);
    return traced(tracer, metrics, serviceName, () => processPartialResponse(event, recordHandler, processor, { context }));
  };
}

/**
 * The file record of an original upload's event (null: there is none), read once for the
 * correlation id and handed to the step. Undefined for any other key, or when the read failed:
 * the step then reads (and reports a failure) itself.
 */
async function readRecord(rt: StepRuntime, ref: ObjectRef): Promise<FileRecord | null | undefined> {
  const parsed = parseOriginalKey(ref.key);
  if (parsed === null) return undefined;
  return rt.repository.get(parsed.fileId).catch(() => undefined);
}

/** A child logger for one record: the correlation id from the file record (or the message id). */
function recordLogger(logger: Logger, ref: ObjectRef, record: SQSRecord, step: RequiredStep, file: FileRecord | null | undefined): Logger {
  const log = logger.createChild();
  log.setCorrelationId(file?.correlationId ?? record.messageId);
  log.appendPersistentKeys({ step, messageId: record.messageId, key: ref.key, sequencer: ref.sequencer });
  return log;
}
