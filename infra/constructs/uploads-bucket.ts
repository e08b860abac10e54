import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/index.js';
import { stageDefaults } from './stage-defaults.js';

/** Where browsers PUT the uploaded bytes; new objects here start the upload pipeline. */
export const UPLOADS_PREFIX = 'uploads/';
/** Where the pipeline writes thumbnails. */
export const THUMBNAILS_PREFIX = 'thumbnails/';
/** Where rejected uploads are kept for inspection before they expire. */
export const QUARANTINE_PREFIX = 'quarantine/';

/** How long lifecycle rules keep things. */
export const RETENTION = {
  /** A rejected upload, for support to look at. */
  quarantineDays: 30,
  /** An overwritten or deleted thumbnail: it can be regenerated from the original. */
  noncurrentThumbnailDays: 1,
  /** Any other overwritten or deleted object. */
  noncurrentDays: 30,
  /** Server access logs. */
  accessLogDays: 90,
} as const;

export interface UploadsBucketProps {
  /**
   * What happens to the bucket when the stack is deleted. With DESTROY the objects are deleted
   * too (a CDK custom resource empties the bucket).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The uploaded files and their thumbnails. Private (reached only through presigned URLs),
 * TLS only, encrypted (the production posture puts it under the stack's KMS key), versioned,
 * with server access logs; browsers may PUT and GET through CORS. Lifecycle rules expire
 * quarantined uploads, stale thumbnail versions and other noncurrent versions.
 */
export class UploadsBucket extends Construct {
  public readonly bucket: Bucket;
  public readonly bucketName: string;
  /** Where S3 writes the bucket's server access logs (SSE-S3: S3 cannot log to SSE-KMS buckets). */
  public readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: UploadsBucketProps = {}) {
    super(scope, id);
    const { removalPolicy } = stageDefaults(props);

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(RETENTION.accessLogDays) }],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.accessLogs,
      'AwsSolutions-S1',
      'This bucket is the access-log destination of the uploads bucket; logging it would log its own log deliveries',
    );

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'uploads-bucket/',
      cors: [
        {
          allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration: Duration.days(RETENTION.noncurrentDays) },
        {
          id: 'ExpireNoncurrentThumbnails',
          prefix: THUMBNAILS_PREFIX,
          noncurrentVersionExpiration: Duration.days(RETENTION.noncurrentThumbnailDays),
        },
        {
          id: 'ExpireQuarantine',
          prefix: QUARANTINE_PREFIX,
          expiration: Duration.days(RETENTION.quarantineDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    this.bucketName = this.bucket.bucketName;
  }
}
