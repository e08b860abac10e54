import { CfnDeletionPolicy, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { referencedLogicalIds, type Inventory } from './inventory.js';

/**
 * The attribute Powertools' idempotency persistence layer writes its expiry to (epoch seconds),
 * and so the TTL attribute of every idempotency table.
 */
export const IDEMPOTENCY_TTL_ATTRIBUTE = 'expiration';

/** A table is an idempotency table when its construct path says so (`IdempotencyTable`, `Idempotency/Table`). */
export function isIdempotencyTable(table: IConstruct): boolean {
  return /idempotency/i.test(table.node.path);
}

export interface DataProtectionOptions {
  readonly key: IKey;
  readonly logRetention: RetentionDays;
}

/**
 * Every table: encrypted with the data key, point-in-time recovery on, deletion protection
 * where data is retained, and a TTL on idempotency records. Every bucket but an access-log
 * destination (S3 delivers access logs to SSE-S3 buckets only): encrypted with the data key,
 * with an S3 bucket key so that each object does not cost a KMS call. Every log group without
 * a retention gets the stage's.
 */
export function applyDataProtection(inventory: Inventory, options: DataProtectionOptions): void {
  const { stack } = inventory;
  for (const table of inventory.tables) {
    table.sseSpecification = { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: options.key.keyArn };
    table.pointInTimeRecoverySpecification = {
      ...(stack.resolve(table.pointInTimeRecoverySpecification) as object | undefined),
      pointInTimeRecoveryEnabled: true,
    };
    if (table.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN) table.deletionProtectionEnabled = true;
    if (isIdempotencyTable(table) && stack.resolve(table.timeToLiveSpecification) === undefined) {
      table.timeToLiveSpecification = { attributeName: IDEMPOTENCY_TTL_ATTRIBUTE, enabled: true };
    }
  }

  const logDestinations = new Set<string>();
  for (const bucket of inventory.buckets) {
    const logging = stack.resolve(bucket.loggingConfiguration) as { destinationBucketName?: unknown } | undefined;
    for (const id of referencedLogicalIds(logging?.destinationBucketName)) logDestinations.add(id);
  }
  for (const bucket of inventory.buckets) {
    if (logDestinations.has(inventory.logicalIdOf(bucket))) continue;
    bucket.bucketEncryption = {
      serverSideEncryptionConfiguration: [
        { serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: options.key.keyArn }, bucketKeyEnabled: true },
      ],
    };
  }

  for (const logGroup of stack.node.findAll().filter((c): c is CfnLogGroup => c instanceof CfnLogGroup)) {
    if (Stack.of(logGroup) !== stack) continue;
    if (logGroup.retentionInDays === undefined) logGroup.retentionInDays = options.logRetention;
  }
}
