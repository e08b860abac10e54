/**
 * What every pipeline function shares: the ports on AWS (or the local stack, through the SDK's
 * endpoint variables), built once per execution environment on first use so that a missing
 * variable fails the invocation with a logged cause.
 * Env: FILES_TABLE, UPLOADS_BUCKET, IDEMPOTENCY_TABLE, GRAPHQL_URL, STATUS_TOPIC_ARN,
 * THUMBNAIL_SIZES, THUMBNAIL_FORMATS, AWS_REGION; STEP_TIMEOUT_SECONDS (dead letters); PIPELINE_FAULTS only in tests.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { AppSyncEventPublisher } from '../adapters/appsync-file-event-publisher.js';
import { documentClient, dynamoDbClient, s3Client, snsClient } from '../../shared/aws-clients.js';
import { DynamoDbFileRepository } from '../adapters/dynamodb-file-repository.js';
import { S3ObjectStore } from '../adapters/s3-object-store.js';
import { SnsStatusPublisher } from '../adapters/sns-publishers.js';
import { PipelineSteps } from '../domain/pipeline-steps.js';
import { systemClock } from '../domain/ports.js';
import { requireEnv, stepTimeoutMs, thumbnailConfig } from '../../shared/config.js';
import { faultsFromEnv } from '../../../local/faults/rules.js';

export interface PipelineRuntime {
  readonly bucket: string;
  readonly repository: DynamoDbFileRepository;
  readonly objectStore: S3ObjectStore;
  readonly events: AppSyncEventPublisher;
  readonly persistence: DynamoDBPersistenceLayer;
  readonly steps: PipelineSteps;
}

let runtime: PipelineRuntime | undefined;

export function pipelineRuntime(): PipelineRuntime {
  if (runtime === undefined) {
    const bucket = requireEnv('UPLOADS_BUCKET');
    const repository = new DynamoDbFileRepository({ client: documentClient, tableName: requireEnv('FILES_TABLE') });
    const objectStore = new S3ObjectStore({ client: s3Client, bucket });
    const events = new AppSyncEventPublisher({ url: requireEnv('GRAPHQL_URL'), region: requireEnv('AWS_REGION') });
    const thumbnails = thumbnailConfig();
    runtime = {
      bucket,
      repository,
      objectStore,
      events,
      // The same (instrumented) DynamoDB client: injected throttling reaches idempotency records too.
      persistence: new DynamoDBPersistenceLayer({ tableName: requireEnv('IDEMPOTENCY_TABLE'), awsSdkV3Client: dynamoDbClient }),
      steps: new PipelineSteps({
        repository,
        objectStore,
        events,
        status: new SnsStatusPublisher({ client: snsClient(), topicArn: requireEnv('STATUS_TOPIC_ARN') }),
        clock: systemClock,
        faults: faultsFromEnv(),
        thumbnails,
        stepTimeoutMs: stepTimeoutMs(),
      }),
    };
  }
  return runtime;
}
