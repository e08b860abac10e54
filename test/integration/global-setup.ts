/**
 * Integration layer: one DynamoDB Local (in memory) and one local S3 (temporary directory) for the
 * whole run, started with the same modules the local stack uses. Tests reach them through
 * `inject('dynamoEndpoint')` / `inject('s3Endpoint')` and create their own tables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/services/dynamodb.js';
import { unrestrictedPrincipal } from '../../local/s3/index.js';
import { startStandaloneS3 } from '../../local/s3/standalone.js';

/** The bucket every integration test uses (tests keep apart by key). */
export const INTEGRATION_BUCKET = 'integration-uploads';
/** The credentials the tests sign with (the local S3 verifies every signature). */
export const INTEGRATION_ACCESS_KEY_ID = 'local';
const INTEGRATION_SECRET_ACCESS_KEY = 'local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
    uploadsBucket: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const directory = await mkdtemp(join(tmpdir(), 'integration-s3-'));
  const [dynamo, s3] = await Promise.all([
    startDynamoDbLocal(),
    startStandaloneS3({
      directory,
      buckets: [{ name: INTEGRATION_BUCKET, versioning: 'Enabled' }],
      principals: [unrestrictedPrincipal({ accessKeyId: INTEGRATION_ACCESS_KEY_ID, secretAccessKey: INTEGRATION_SECRET_ACCESS_KEY })],
    }),
  ]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('uploadsBucket', INTEGRATION_BUCKET);

  return async () => {
    await Promise.allSettled([dynamo.stop(), s3.stop()]);
    await rm(directory, { recursive: true, force: true });
  };
}
