/**
 * Lambda entry of the dead-letter consumer, run on a schedule (EventBridge): the real SQS client
 * and the pipeline's ports for ./dead-letter-consumer.ts, which handles each dead letter once.
 * Nothing here decodes images (no sharp in the bundle): a dead letter only ends its file FAILED.
 * Env: FILES_TABLE, UPLOADS_BUCKET, STATUS_TOPIC_ARN, IDEMPOTENCY_TABLE, PROCESS_DLQ_URL,
 * THUMBNAIL_DLQ_URL, NOTIFY_DLQ_URL, STEP_TIMEOUT_SECONDS (how long a step may still be running),
 * AWS_REGION.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { snsClient, sqsClient } from '../adapters/aws-clients.js';
import { DynamoDbFileRepository } from '../adapters/dynamodb-file-repository.js';
import { SnsStatusPublisher } from '../adapters/sns-publishers.js';
import { DeadLetterSteps } from '../domain/dead-letter-steps.js';
import { systemClock } from '../domain/ports.js';
import { documentClient, dynamoDbClient } from '../../shared/aws-clients.js';
import { requireEnv } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { stepTimeoutMs } from './config.js';
import { type DeadLetterRuntime, type DeadLetterSummary, createDeadLetterConsumer } from './dead-letter-consumer.js';
import { createMetrics, createTracer, metricsPort, traced } from './observability.js';

export type { DeadLetterSummary } from './dead-letter-consumer.js';

const SERVICE = 'dead-letters';
const logger = createLogger(SERVICE);
const metrics = createMetrics(SERVICE);
const tracer = createTracer(SERVICE);

let runtime: DeadLetterRuntime | undefined;

function deadLetterRuntime(): DeadLetterRuntime {
  if (runtime === undefined) {
    const repository = new DynamoDbFileRepository({ client: documentClient, tableName: requireEnv('FILES_TABLE') });
    const status = new SnsStatusPublisher({ client: snsClient(), topicArn: requireEnv('STATUS_TOPIC_ARN') });
    runtime = {
      sqs: sqsClient(),
      queues: [
        { kind: 'step', step: 'PROCESS', url: requireEnv('PROCESS_DLQ_URL') },
        { kind: 'step', step: 'THUMBNAIL', url: requireEnv('THUMBNAIL_DLQ_URL') },
        { kind: 'notify', url: requireEnv('NOTIFY_DLQ_URL') },
      ],
      bucket: requireEnv('UPLOADS_BUCKET'),
      repository,
      persistence: new DynamoDBPersistenceLayer({ tableName: requireEnv('IDEMPOTENCY_TABLE'), awsSdkV3Client: dynamoDbClient }),
      steps: new DeadLetterSteps({ repository, status, clock: systemClock, stepTimeoutMs: stepTimeoutMs() }),
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
