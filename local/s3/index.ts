/**
 * The local S3: the template's buckets in the state folder (store.ts), every request
 * authenticated and authorized (auth.ts, access.ts), and the object events that S3 sends to
 * notification targets. It serves no socket of its own: `handle` runs on the S3 gateway's
 * server (local/http/s3-gateway.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CfnTemplate } from '../cdk/template.js';
import type { S3PrincipalLookup } from './access.js';
import { corsRulesOf } from './cors.js';
import { EventBus, type S3EventListener } from './events.js';
import { createS3Handler } from './handler.js';
import { type BucketConfig, ObjectStoreBuckets } from './store.js';
import type { VersioningState } from './versioning.js';

export { encodeS3EventKey } from './events.js';
export type { S3EventListener } from './events.js';
export { s3Principals, unrestrictedPrincipal, type S3Principal, type S3PrincipalLookup } from './access.js';
export type { BucketConfig } from './store.js';

export interface LocalS3Options {
  /** Where objects are kept (created if missing). */
  readonly directory: string;
  readonly buckets: readonly BucketConfig[];
  /** Who may call, and what each may do. */
  readonly principals: S3PrincipalLookup;
  /** `awsRegion` of the events. @default us-east-1 */
  readonly region?: string;
  readonly log?: (line: string) => void;
}

export interface LocalS3 {
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void;
  /** Calls `listener` with an S3 event for every object created (Put, Copy, CompleteMultipartUpload). Returns an unsubscribe. */
  onObjectCreated(listener: S3EventListener): () => void;
  /** Calls `listener` for every removal (Delete, DeleteMarkerCreated). */
  onObjectRemoved(listener: S3EventListener): () => void;
}

export async function createLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const log = options.log ?? ((line: string) => console.error(line));
  const region = options.region ?? 'us-east-1';
  const buckets = await ObjectStoreBuckets.open(options.directory, options.buckets);
  const events = new EventBus(region, log);
  const handler = createS3Handler({ buckets, principals: options.principals, events, region, log });
  return {
    handle: (request, response) => {
      void handler(request, response);
    },
    onObjectCreated: (listener) => events.onObjectCreated(listener),
    onObjectRemoved: (listener) => events.onObjectRemoved(listener),
  };
}

/** The template's buckets: name, versioning and CORS rules as the CDK app declares them. */
export function bucketsOfTemplate(template: CfnTemplate, bucketName: (logicalId: string) => string): BucketConfig[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')
    .map(([logicalId, resource]) => {
      const properties = (resource.Properties ?? {}) as Record<string, unknown>;
      const status = (properties['VersioningConfiguration'] as { Status?: string } | undefined)?.Status;
      const versioning: VersioningState = status === 'Enabled' ? 'Enabled' : status === 'Suspended' ? 'Suspended' : 'Unversioned';
      const rules = (properties['CorsConfiguration'] as { CorsRules?: Record<string, unknown>[] } | undefined)?.CorsRules;
      return { name: bucketName(logicalId), versioning, ...(rules === undefined ? {} : { cors: corsRulesOf(rules) }) };
    });
}
