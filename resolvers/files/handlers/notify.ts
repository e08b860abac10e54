/**
 * Lambda entry of the notify function: its queue is subscribed to the status topic with a filter
 * policy on `status` (READY, FAILED). Publishes the terminal FileEvent to the owner's
 * subscriptions and a notification to the notifications topic (e-mail or SMS subscribers on AWS).
 * Each announcement is made once by the notifier's own claim on the file record
 * (resolvers/files/domain/notifier.ts), which also holds off a concurrent duplicate: no Powertools
 * idempotency record on top of it (two more writes per message, and ~40 KiB of bundle).
 * Env: FILES_TABLE, GRAPHQL_URL, NOTIFICATIONS_TOPIC_ARN, AWS_REGION.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { appSyncFileEventPublisher } from '../adapters/appsync-file-event-publisher.js';
import { documentClient } from '../../shared/aws-clients.js';
import { snsClient } from '../adapters/aws-clients.js';
import { DynamoDbFileRepository } from '../adapters/dynamodb-file-repository.js';
import { CORRELATION_ATTRIBUTE, SnsNotificationSender } from '../adapters/sns-publishers.js';
import { Notifier } from '../domain/notifier.js';
import { systemClock } from '../domain/ports.js';
import { requireEnv } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { createMetrics, createTracer, metricsPort, traced } from './observability.js';
import { messageAttributeOf, statusMessageOf } from './sqs-messages.js';

/** What the notify function runs on: the real adapters in AWS, fakes in tests. */
export interface NotifyRuntime {
  readonly notifier: Pick<Notifier, 'notify'>;
}

export type NotifyHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** A margin on the claim, for clocks that differ between invocations. */
const CLAIM_MARGIN_MS = 1_000;

export function createNotifyHandler(serviceName: string, runtime: () => NotifyRuntime): NotifyHandler {
  const logger = createLogger(serviceName);
  const metrics = createMetrics(serviceName);
  const tracer = createTracer(serviceName);
  const processor = new BatchProcessor(EventType.SQS);

  const recordHandler = async (record: SQSRecord, lambdaContext?: Context): Promise<void> => {
    const { notifier } = runtime();
    const message = statusMessageOf(record.body);
    const log = logger.createChild();
    log.setCorrelationId(messageAttributeOf(record, CORRELATION_ATTRIBUTE) ?? message.correlationId ?? record.messageId);
    log.appendPersistentKeys({ messageId: record.messageId, fileId: message.fileId });
    metricsPort(metrics).count('Messages');
    // The claim on the announcement lasts as long as this invocation can.
    const remaining = lambdaContext?.getRemainingTimeInMillis();
    try {
      const outcome = await notifier.notify(message, {
        log,
        metrics: metricsPort(metrics),
        ...(remaining === undefined ? {} : { claimMs: remaining + CLAIM_MARGIN_MS }),
      });
      log.info('Notify outcome', { outcome });
    } catch (error) {
      log.error('Announcement failed; the message returns to the queue', { error });
      throw error;
    }
  };

  return async (event, context) => {
    logger.addContext(context);
    return traced(tracer, metrics, serviceName, () => processPartialResponse(event, recordHandler, processor, { context }));
  };
}

let notifyRuntime: NotifyRuntime | undefined;

function awsRuntime(): NotifyRuntime {
  notifyRuntime ??= {
    notifier: new Notifier({
      repository: new DynamoDbFileRepository({ client: documentClient, tableName: requireEnv('FILES_TABLE') }),
      events: appSyncFileEventPublisher({ url: requireEnv('GRAPHQL_URL'), region: requireEnv('AWS_REGION') }),
      notifications: new SnsNotificationSender({ client: snsClient(), topicArn: requireEnv('NOTIFICATIONS_TOPIC_ARN') }),
      clock: systemClock,
    }),
  };
  return notifyRuntime;
}

export const handler = createNotifyHandler('notify', awsRuntime);
