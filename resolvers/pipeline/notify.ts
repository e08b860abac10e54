/**
 * Lambda entry of the notify function: its queue is subscribed to the status topic with a filter
 * policy on `status` (READY, FAILED). Publishes the terminal FileEvent to the owner's
 * subscriptions and a notification to the notifications topic (e-mail or SMS subscribers on AWS).
 * Env: FILES_TABLE, IDEMPOTENCY_TABLE, GRAPHQL_URL, NOTIFICATIONS_TOPIC_ARN, AWS_REGION.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { AppSyncEventPublisher } from '../adapters/appsync-event-publisher.js';
import { documentClient, dynamoDbClient, snsClient } from '../adapters/clients.js';
import { DynamoDbFileRepository } from '../adapters/dynamodb-file-repository.js';
import { CORRELATION_ATTRIBUTE, SnsNotificationSender } from '../adapters/sns-publishers.js';
import { Notifier, type NotifyOutcome } from '../files/notifier.js';
import type { PipelineLog, PipelineMetrics } from '../files/pipeline-steps.js';
import { type FileStatusMessage, systemClock } from '../files/ports.js';
import { requireEnv } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { createMetrics, createTracer, metricsPort, traced } from '../shared/observability.js';
import { IDEMPOTENCY_TTL_SECONDS } from './step-handler.js';
import { messageAttributeOf, statusMessageOf } from './sqs-messages.js';

const SERVICE = 'notify';
const logger = createLogger(SERVICE);
const metrics = createMetrics(SERVICE);
const tracer = createTracer(SERVICE);
const processor = new BatchProcessor(EventType.SQS);
// One announcement per file, status and run, whoever re-sent it.
const config = new IdempotencyConfig({
  expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  eventKeyJmesPath: '[fileId, status, sequencer]',
});

type Announce = (message: FileStatusMessage, context: { log: PipelineLog; metrics: PipelineMetrics }) => Promise<NotifyOutcome>;
let announce: Announce | undefined;

function announcer(): Announce {
  if (announce === undefined) {
    const notifier = new Notifier({
      repository: new DynamoDbFileRepository({ client: documentClient, tableName: requireEnv('FILES_TABLE') }),
      events: new AppSyncEventPublisher({ url: requireEnv('GRAPHQL_URL'), region: requireEnv('AWS_REGION') }),
      notifications: new SnsNotificationSender({ client: snsClient(), topicArn: requireEnv('NOTIFICATIONS_TOPIC_ARN') }),
      clock: systemClock,
    });
    announce = makeIdempotent((message: FileStatusMessage, context: { log: PipelineLog; metrics: PipelineMetrics }) => notifier.notify(message, context), {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: requireEnv('IDEMPOTENCY_TABLE'), awsSdkV3Client: dynamoDbClient }),
      config,
    });
  }
  return announce;
}

async function recordHandler(record: SQSRecord): Promise<void> {
  const message = statusMessageOf(record.body);
  const log = logger.createChild();
  log.setCorrelationId(messageAttributeOf(record, CORRELATION_ATTRIBUTE) ?? message.correlationId ?? record.messageId);
  log.appendPersistentKeys({ messageId: record.messageId, fileId: message.fileId });
  try {
    const outcome = await announcer()(message, { log, metrics: metricsPort(metrics) });
    log.info('Notify outcome', { outcome });
  } catch (error) {
    log.error('Announcement failed; the message returns to the queue', { error });
    throw error;
  }
}

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  config.registerLambdaContext(context);
  return traced(tracer, metrics, SERVICE, () => processPartialResponse(event, recordHandler, processor, { context }));
}
