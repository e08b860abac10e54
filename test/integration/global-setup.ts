/**
 * Integration layer: one DynamoDB Local (in memory) and one s3rver (temporary directory) for the
 * whole run, started with the same modules the local stack uses. Tests reach them through
 * `inject('dynamoEndpoint')` / `inject('s3Endpoint')` and create their own tables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/services/dynamodb.js';
import { startS3rver } from '../../local/services/s3rver.js';

/** The bucket every integration test uses (tests keep apart by key). */
export const INTEGRATION_BUCKET = 'integration-uploads';
/** The access key id the tests sign with (s3rver only accepts key ids it knows). */
export const INTEGRATION_ACCESS_KEY_ID = 'local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
    uploadsBucket: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const directory = await mkdtemp(join(tmpdir(), 'integration-s3rver-'));
  const [dynamo, s3] = await Promise.all([
    startDynamoDbLocal(),
    startS3rver({ directory, buckets: [INTEGRATION_BUCKET], accessKeyIds: [INTEGRATION_ACCESS_KEY_ID] }),
  ]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('uploadsBucket', INTEGRATION_BUCKET);

  return async () => {
    await Promise.allSettled([dynamo.stop(), s3.stop()]);
    await rm(directory, { recursive: true, force: true });
  };
}
