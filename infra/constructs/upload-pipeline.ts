import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IGraphqlApi } from 'aws-cdk-lib/aws-appsync';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SnsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from '../nag/index.js';
import { IdempotencyTable } from './idempotency-table.js';
import { ServiceFunction } from './service-function.js';
import { SubscriberQueue } from './subscriber-queue.js';
import { THUMBNAILS_PREFIX, UPLOADS_PREFIX } from './uploads-bucket.js';

/** The PROCESS step (checks, sanitized original, metadata), relative to the project root. */
export const PROCESS_UPLOAD_ENTRY = 'resolvers/files/handlers/process-upload.ts';
/** The THUMBNAIL step. */
export const MAKE_THUMBNAILS_ENTRY = 'resolvers/files/handlers/make-thumbnails.ts';
/** The notify function: terminal events and user notifications. */
export const NOTIFY_ENTRY = 'resolvers/files/handlers/notify.ts';
/** The dead-letter consumer. */
export const DEAD_LETTERS_ENTRY = 'resolvers/files/handlers/dead-letters.ts';
export const PIPELINE_ENTRIES = [PROCESS_UPLOAD_ENTRY, MAKE_THUMBNAILS_ENTRY, NOTIFY_ENTRY, DEAD_LETTERS_ENTRY] as const;

/** The one mutation the pipeline's functions may call. */
export const PUBLISH_MUTATION = 'publishFileEvent';

/** Where the PROCESS step writes the sanitized original. */
export const PROCESSED_PREFIX = 'processed/';
/** Where a rejected original is moved. */
export const QUARANTINE_PREFIX = 'quarantine/';

/** The thumbnails made of every image (THUMBNAIL_SIZES, THUMBNAIL_FORMATS). */
export const THUMBNAIL_SIZES = '200x200,800w';
export const THUMBNAIL_FORMATS = 'jpeg,webp';

/** How often the dead-letter consumer looks at the dead-letter queues. */
export const DEAD_LETTER_SCHEDULE = Duration.minutes(1);

/** Function timeouts: the queues' visibility timeouts are six times these. */
export const TIMEOUTS = {
  process: Duration.seconds(30),
  thumbnails: Duration.seconds(30),
  notify: Duration.seconds(10),
  deadLetters: Duration.seconds(50),
} as const;

export interface UploadPipelineProps {
  /** The uploads bucket: objects created under `uploads/` start the pipeline. */
  readonly bucket: IBucket;
  /** The files' metadata, updated step by step. */
  readonly table: ITable;
  /** The API whose `publishFileEvent` mutation announces each step to the file's owner. */
  readonly api: IGraphqlApi;
  /** The API's GraphQL endpoint (`GRAPHQL_URL`). */
  readonly graphqlUrl: string;

  /**
   * The function behind reprocessFile and deleteFile: it gets what they need (copy an original
   * onto itself, delete every object of a file), and nothing else of the bucket from here.
   * @default no grants
   */
  readonly fileChangesApi?: ServiceFunction;

  /**
   * E-mail addresses subscribed to the user notifications topic.
   * @default none
   */
  readonly notificationEmails?: readonly string[];

  /**
   * The directory holding `package.json`, `package-lock.json` and the handler entries.
   * @default the repository root
   */
  readonly projectRoot?: string;

  /**
   * How long the functions' logs are kept.
   * @default ServiceFunction's default
   */
  readonly logRetention?: RetentionDays;

  /**
   * What happens to the log groups and the idempotency table when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The upload pipeline, event driven:
 *
 *   S3 ObjectCreated (uploads/) -> uploads topic -> process queue   -> process function
 *                                                -> thumbnail queue -> thumbnails function
 *   steps (READY/FAILED) -> status topic -[status READY|FAILED]-> notify queue -> notify function
 *                                                                   -> notifications topic (e-mail/SMS)
 *   each queue -> its dead-letter queue <- dead-letter consumer (every minute) -> FAILED
 *
 * Every step records its state on the file with conditional updates and runs each S3 event once
 * (Powertools idempotency, in the idempotency table); each function may call only
 * `publishFileEvent` on the API.
 */
export class UploadPipeline extends Construct {
  public readonly uploadsTopic: Topic;
  public readonly statusTopic: Topic;
  public readonly notificationsTopic: Topic;
  public readonly idempotency: IdempotencyTable;
  public readonly processUpload: ServiceFunction;
  public readonly makeThumbnails: ServiceFunction;
  public readonly notify: ServiceFunction;
  public readonly deadLetters: ServiceFunction;
  public readonly processQueue: SubscriberQueue;
  public readonly thumbnailQueue: SubscriberQueue;
  public readonly notifyQueue: SubscriberQueue;

  constructor(scope: Construct, id: string, props: UploadPipelineProps) {
    super(scope, id);
    const { bucket } = props;

    this.uploadsTopic = new Topic(this, 'UploadsTopic', { displayName: 'Uploaded originals', enforceSSL: true });
    this.statusTopic = new Topic(this, 'StatusTopic', { displayName: 'Files that reached READY or FAILED', enforceSSL: true });
    this.notificationsTopic = new Topic(this, 'NotificationsTopic', { displayName: 'Your files', enforceSSL: true });
    for (const email of props.notificationEmails ?? []) {
      this.notificationsTopic.addSubscription(new EmailSubscription(email));
    }
    this.idempotency = new IdempotencyTable(this, 'Idempotency', { removalPolicy: RemovalPolicy.DESTROY });

    const common = {
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    };
    const pipelineEnvironment = {
      GRAPHQL_URL: props.graphqlUrl,
      STATUS_TOPIC_ARN: this.statusTopic.topicArn,
      THUMBNAIL_SIZES,
      THUMBNAIL_FORMATS,
      POWERTOOLS_METRICS_NAMESPACE: 'UploadPipeline',
    };

    this.processUpload = new ServiceFunction(this, 'ProcessUpload', {
      ...common,
      entry: PROCESS_UPLOAD_ENTRY,
      serviceName: 'process-upload',
      needsSharp: true,
      memorySize: 1024,
      timeout: TIMEOUTS.process,
      environment: pipelineEnvironment,
    });
    this.makeThumbnails = new ServiceFunction(this, 'MakeThumbnails', {
      ...common,
      entry: MAKE_THUMBNAILS_ENTRY,
      serviceName: 'make-thumbnails',
      needsSharp: true,
      memorySize: 1024,
      timeout: TIMEOUTS.thumbnails,
      environment: pipelineEnvironment,
    });
    this.notify = new ServiceFunction(this, 'Notify', {
      ...common,
      entry: NOTIFY_ENTRY,
      serviceName: 'notify',
      timeout: TIMEOUTS.notify,
      environment: {
        GRAPHQL_URL: props.graphqlUrl,
        NOTIFICATIONS_TOPIC_ARN: this.notificationsTopic.topicArn,
        POWERTOOLS_METRICS_NAMESPACE: 'UploadPipeline',
      },
    });
    this.deadLetters = new ServiceFunction(this, 'DeadLetters', {
      ...common,
      entry: DEAD_LETTERS_ENTRY,
      serviceName: 'dead-letters',
      timeout: TIMEOUTS.deadLetters,
      environment: {
        ...pipelineEnvironment,
        STEP_TIMEOUT_SECONDS: String(Math.max(TIMEOUTS.process.toSeconds(), TIMEOUTS.thumbnails.toSeconds())),
      },
    });

    for (const fn of [this.processUpload, this.makeThumbnails, this.notify, this.deadLetters]) {
      fn.bindTable(props.table, 'RW', 'FILES_TABLE');
      props.api.grantMutation(fn.fn, PUBLISH_MUTATION);
    }
    // Notify needs none: its claim on the file record makes each announcement once.
    for (const fn of [this.processUpload, this.makeThumbnails, this.deadLetters]) {
      fn.bindTable(this.idempotency.table, 'RW', 'IDEMPOTENCY_TABLE');
    }
    for (const fn of [this.processUpload, this.makeThumbnails, this.deadLetters]) {
      // Read originals; a rejected one moves to quarantine (copy, then delete).
      fn.bindBucket(bucket, 'READ', 'UPLOADS_BUCKET', `${UPLOADS_PREFIX}*`)
        .bindBucket(bucket, 'READ_PUT', 'UPLOADS_BUCKET', `${QUARANTINE_PREFIX}*`);
      grantDelete(fn, bucket, [`${UPLOADS_PREFIX}*`]);
      // The steps HEAD keys that may not exist (an original deleted meanwhile, a quarantine copy
      // not made yet): S3 answers 404 only to a caller that may list the bucket, 403 otherwise.
      fn.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
      this.statusTopic.grantPublish(fn.fn);
    }
    this.processUpload.bindBucket(bucket, 'PUT', 'UPLOADS_BUCKET', `${PROCESSED_PREFIX}*`);
    grantDelete(this.processUpload, bucket, [`${PROCESSED_PREFIX}*`]);
    // An upload whose file no longer exists (a ticket used after deleteFile) is removed by version.
    grantDeleteVersions(this.processUpload, bucket, [`${UPLOADS_PREFIX}*`]);
    this.makeThumbnails.bindBucket(bucket, 'PUT', 'UPLOADS_BUCKET', `${THUMBNAILS_PREFIX}*`);
    grantDelete(this.makeThumbnails, bucket, [`${THUMBNAILS_PREFIX}*`]);
    this.notificationsTopic.grantPublish(this.notify.fn);

    this.processQueue = new SubscriberQueue(this, 'ProcessSubscriber', {
      topic: this.uploadsTopic,
      consumer: this.processUpload,
      consumerTimeout: TIMEOUTS.process,
      // Image work is CPU-bound: one file per invocation lets Lambda spread files over
      // environments, and one slow or bad file delays no other.
      batchSize: 1,
    });
    this.thumbnailQueue = new SubscriberQueue(this, 'ThumbnailSubscriber', {
      topic: this.uploadsTopic,
      consumer: this.makeThumbnails,
      consumerTimeout: TIMEOUTS.thumbnails,
      batchSize: 1,
    });
    this.notifyQueue = new SubscriberQueue(this, 'NotifySubscriber', {
      topic: this.statusTopic,
      consumer: this.notify,
      consumerTimeout: TIMEOUTS.notify,
      filterPolicy: { status: SubscriptionFilter.stringFilter({ allowlist: ['READY', 'FAILED'] }) },
    });

    const deadLetterQueues = {
      PROCESS_DLQ_URL: this.processQueue.deadLetterQueue,
      THUMBNAIL_DLQ_URL: this.thumbnailQueue.deadLetterQueue,
      NOTIFY_DLQ_URL: this.notifyQueue.deadLetterQueue,
    };
    for (const [name, queue] of Object.entries(deadLetterQueues)) {
      this.deadLetters.addEnvironment(name, queue.queueUrl);
    }
    // Read, and release at the end of the run: the messages stay for an operator to redrive.
    this.deadLetters.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        resources: Object.values(deadLetterQueues).map((queue) => queue.queueArn),
      }),
    );
    const schedule = new Rule(this, 'DeadLetterSchedule', {
      description: 'Marks the files of dead-lettered pipeline messages FAILED',
      schedule: Schedule.rate(DEAD_LETTER_SCHEDULE),
      targets: [new LambdaFunction(this.deadLetters.fn, { retryAttempts: 0 })],
    });
    acknowledge(
      schedule,
      'Serverless-EventBusDLQ',
      'A missed scheduled run loses nothing: the next run, a minute later, reads the same dead-letter queues',
    );

    bucket.addEventNotification(EventType.OBJECT_CREATED, new SnsDestination(this.uploadsTopic), {
      prefix: UPLOADS_PREFIX,
    });

    if (props.fileChangesApi !== undefined) {
      // reprocessFile copies an original onto itself (GetObject and PutObject of uploads/);
      // deleteFile removes every object of a file (resolvers/files/domain/files-service.ts).
      props.fileChangesApi.bindBucket(bucket, 'READ_PUT', 'UPLOADS_BUCKET', `${UPLOADS_PREFIX}*`);
      const filePatterns = [UPLOADS_PREFIX, PROCESSED_PREFIX, THUMBNAILS_PREFIX, QUARANTINE_PREFIX].map((p) => `${p}*`);
      grantDelete(props.fileChangesApi, bucket, filePatterns);
      // deleteFile erases every version (a plain delete only hides an object in this versioned bucket).
      grantDeleteVersions(props.fileChangesApi, bucket, filePatterns);
      props.fileChangesApi.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucketVersions'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': filePatterns } },
        }),
      );
      // reprocessFile restarts a file PROCESSING for longer than this (a run nothing will finish).
      props.fileChangesApi.addEnvironment('STEP_TIMEOUT_SECONDS', String(Math.max(TIMEOUTS.process.toSeconds(), TIMEOUTS.thumbnails.toSeconds())));
    }
  }
}

/** s3:DeleteObjectVersion on the objects under each pattern: removes a version for good. */
function grantDeleteVersions(fn: ServiceFunction, bucket: IBucket, patterns: readonly string[]): void {
  for (const pattern of patterns) {
    const objects = bucket.arnForObjects(pattern);
    fn.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:DeleteObjectVersion'], resources: [objects] }));
  }
}

/** s3:DeleteObject on the objects under each pattern, and nothing else. */
function grantDelete(fn: ServiceFunction, bucket: IBucket, patterns: readonly string[]): void {
  for (const pattern of patterns) {
    const objects = bucket.arnForObjects(pattern);
    fn.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:DeleteObject'], resources: [objects] }));
    acknowledge(
      fn.fn,
      wildcardResourceFinding(fn, objects),
      `s3:DeleteObject on the objects under "${pattern}" only: the pipeline moves and removes a file's objects by key`,
    );
  }
}
