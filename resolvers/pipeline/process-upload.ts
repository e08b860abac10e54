/**
 * Lambda entry for the uploads bucket's ObjectCreated notifications (prefix `uploads/`).
 * Env: FILES_TABLE, UPLOADS_BUCKET, GRAPHQL_URL, AWS_REGION, plus the AWS SDK's.
 */
import type { Context, S3Event } from 'aws-lambda';
import { documentClient, s3Client } from '../adapters/clients.js';
import { AppSyncEventPublisher } from '../adapters/appsync-event-publisher.js';
import { DynamoDbFileRepository } from '../adapters/dynamodb-file-repository.js';
import { S3ObjectStore } from '../adapters/s3-object-store.js';
import { systemClock } from '../files/ports.js';
import { UploadPipeline } from '../files/upload-pipeline.js';
import { requireEnv } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { processS3Event } from './s3-upload-events.js';

const logger = createLogger('files-pipeline');

let runner: { pipeline: UploadPipeline; bucket: string } | undefined;

function pipelineRunner(): { pipeline: UploadPipeline; bucket: string } {
  if (runner === undefined) {
    const bucket = requireEnv('UPLOADS_BUCKET');
    runner = {
      bucket,
      pipeline: new UploadPipeline({
        repository: new DynamoDbFileRepository({ client: documentClient, tableName: requireEnv('FILES_TABLE') }),
        objectStore: new S3ObjectStore({ client: s3Client, bucket }),
        publisher: new AppSyncEventPublisher({ url: requireEnv('GRAPHQL_URL'), region: requireEnv('AWS_REGION') }),
        clock: systemClock,
        log: logger,
      }),
    };
  }
  return runner;
}

export async function handler(event: S3Event, context: Context): Promise<void> {
  logger.addContext(context);
  logger.setCorrelationId(context.awsRequestId);
  const { pipeline, bucket } = pipelineRunner();
  const outcomes = await processS3Event(event, { pipeline, bucket, log: logger });
  logger.info('Upload event processed', { outcomes });
}
