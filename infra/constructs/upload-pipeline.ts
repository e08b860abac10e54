import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IGraphqlApi } from 'aws-cdk-lib/aws-appsync';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { ServiceFunction } from './service-function.js';
import { THUMBNAILS_PREFIX, UPLOADS_PREFIX } from './uploads-bucket.js';

/** The upload processor, relative to the project root. */
export const PROCESS_UPLOAD_ENTRY = 'resolvers/pipeline/process-upload.ts';

/** The one mutation the processor may call. */
export const PUBLISH_MUTATION = 'publishFileEvent';

export interface UploadPipelineProps {
  /** The uploads bucket: objects created under `uploads/` start the pipeline. */
  readonly bucket: IBucket;
  /** The files' metadata, updated as the file is processed. */
  readonly table: ITable;
  /** The API whose `publishFileEvent` mutation announces each step to the file's owner. */
  readonly api: IGraphqlApi;
  /** The API's GraphQL endpoint (`GRAPHQL_URL`). */
  readonly graphqlUrl: string;

  /**
   * The directory holding `package.json`, `package-lock.json` and the handler entry.
   * @default the repository root
   */
  readonly projectRoot?: string;

  /**
   * How long the processor's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * What happens to the log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * S3 `uploads/` ObjectCreated -> processUpload Lambda: checks the bytes with sharp, writes
 * thumbnails under `thumbnails/`, updates the file's item, and reports each step through the
 * IAM-only `publishFileEvent` mutation (the only GraphQL field its role may call).
 */
export class UploadPipeline extends Construct {
  public readonly processUpload: ServiceFunction;

  constructor(scope: Construct, id: string, props: UploadPipelineProps) {
    super(scope, id);

    this.processUpload = new ServiceFunction(this, 'ProcessUpload', {
      entry: PROCESS_UPLOAD_ENTRY,
      serviceName: 'process-upload',
      needsSharp: true,
      memorySize: 1024,
      timeout: Duration.seconds(30),
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: { GRAPHQL_URL: props.graphqlUrl },
    })
      .bindTable(props.table, 'RW', 'FILES_TABLE')
      .bindBucket(props.bucket, 'READ', 'UPLOADS_BUCKET', `${UPLOADS_PREFIX}*`)
      .bindBucket(props.bucket, 'PUT', 'UPLOADS_BUCKET', `${THUMBNAILS_PREFIX}*`);

    props.api.grantMutation(this.processUpload.fn, PUBLISH_MUTATION);

    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.processUpload.fn), {
      prefix: UPLOADS_PREFIX,
    });
  }
}
