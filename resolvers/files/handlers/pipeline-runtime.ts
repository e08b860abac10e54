/**
 * What the PROCESS and THUMBNAIL functions run on: the ports on AWS (or the local stack, through
 * the SDK's endpoint variables), built once per execution environment on first use so that a
 * missing variable fails the invocation with a logged cause.
 * Env: FILES_TABLE, UPLOADS_BUCKET, IDEMPOTENCY_TABLE, GRAPHQL_URL, STATUS_TOPIC_ARN,
 * THUMBNAIL_SIZES, THUMBNAIL_FORMATS, AWS_REGION.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { appSyncFileEventPublisher } from '../adapters/appsync-file-event-publisher.js';
import { s3Client, snsClient } from '../adapters/aws-clients.js';
import { DynamoDbFileRepository } from '../adapters/dynamodb-file-repository.js';
import { S3ObjectStore } from '../adapters/s3-object-store.js';
import { SnsStatusPublisher } from '../adapters/sns-publishers.js';
import { PipelineSteps } from '../domain/pipeline-steps.js';
import { systemClock } from '../domain/ports.js';
import { documentClient, dynamoDbClient } from '../../shared/aws-clients.js';
import { requireEnv } from '../../shared/config.js';
import { thumbnailConfig } from './config.js';
import type { StepRuntime } from './pipeline-step.js';

let runtime: StepRuntime | undefined;

export function pipelineRuntime(): StepRuntime {
  if (runtime === undefined) {
    const bucket = requireEnv('UPLOADS_BUCKET');
    const repository = new DynamoDbFileRepository({ client: documentClient, tableName: requireEnv('FILES_TABLE') });
    runtime = {
      bucket,
      repository,
      persistence: new DynamoDBPersistenceLayer({ tableName: requireEnv('IDEMPOTENCY_TABLE'), awsSdkV3Client: dynamoDbClient }),
      steps: new PipelineSteps({
        repository,
        objectStore: new S3ObjectStore({ client: s3Client, bucket }),
        events: appSyncFileEventPublisher({ url: requireEnv('GRAPHQL_URL'), region: requireEnv('AWS_REGION') }),
        status: new SnsStatusPublisher({ client: snsClient(), topicArn: requireEnv('STATUS_TOPIC_ARN') }),
        clock: systemClock,
        thumbnails: thumbnailConfig(),
      }),
    };
  }
  return runtime;
}
