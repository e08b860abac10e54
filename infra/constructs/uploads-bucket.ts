import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Where browsers PUT the uploaded bytes; new objects here start the upload pipeline. */
export const UPLOADS_PREFIX = 'uploads/';
/** Where the pipeline writes thumbnails. */
export const THUMBNAILS_PREFIX = 'thumbnails/';

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
 * TLS only, encrypted, versioned; browsers may PUT and GET through CORS.
 */
export class UploadsBucket extends Construct {
  public readonly bucket: Bucket;
  public readonly bucketName: string;

  constructor(scope: Construct, id: string, props: UploadsBucketProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
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
        { id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    this.bucketName = this.bucket.bucketName;
  }
}
