/**
 * Lambda entry of the dead-letter consumer, run on a schedule (EventBridge): the real SQS client
 * and the pipeline's ports for ./dead-letter-consumer.ts, which handles each dead letter once.
 * Env: FILES_TABLE, UPLOADS_BUCKET, STATUS_TOPIC_ARN, IDEMPOTENCY_TABLE, PROCESS_DLQ_URL,
 * THUMBNAIL_DLQ_URL, NOTIFY_DLQ_URL, plus pipeline-runtime.ts's.
 */
import type { Context } from 'aws-lambda';
import { sqsClient } from '../../shared/aws-clients.js';
import { requireEnv } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { createMetrics, createTracer, metricsPort, traced } from './observability.js';
import { type DeadLetterRuntime, type DeadLetterSummary, createDeadLetterConsumer } from './dead-letter-consumer.js';
import { pipelineRuntime } from './pipeline-runtime.js';

export type { DeadLetterSummary } from './dead-letter-consumer.js';

const SERVICE = 'dead-letters';
const logger = createLogger(SERVICE);
const metrics = createMetrics(SERVICE);
const tracer = createTracer(SERVICE);

let runtime: DeadLetterRuntime | undefined;

function deadLetterRuntime(): DeadLetterRuntime {
  if (runtime === undefined) {
    const pipeline = pipelineRuntime();
    runtime = {
      sqs: sqsClient(),
      queues: [
        { kind: 'step', step: 'PROCESS', url: requireEnv('PROCESS_DLQ_URL') },
        { kind: 'step', step: 'THUMBNAIL', url: requireEnv('THUMBNAIL_DLQ_URL') },
        { kind: 'notify', url: requireEnv('NOTIFY_DLQ_URL') },
      ],
      bucket: pipeline.bucket,
      repository: pipeline.repository,
      persistence: pipeline.persistence,
      steps: pipeline.steps,
    };
  }
  return runtime;
}

const consume = createDeadLetterConsumer(deadLetterRuntime, logger, metricsPort(metrics));

export async function handler(_event: unknown, context: Context): Promise<DeadLetterSummary> {
  logger.addContext(context);
  return traced(tracer, metrics, SERVICE, async () => {
    const summary = await consume(context);
    if (summary.messages > 0) logger.info('Dead-letter run', { ...summary });
    return summary;
  });
}
