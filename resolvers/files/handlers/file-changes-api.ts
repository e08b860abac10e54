/**
 * Lambda entry for Mutation.reprocessFile (CopyObject of the original onto itself) and
 * Mutation.deleteFile (every version of each of the file's objects): the fields that call S3, so
 * the only files API function that carries the S3 client (about 140 KiB more to compile at each
 * cold start: docs/benchmarks.md; these mutations are rare). The other files fields are files-api.ts.
 * Env: FILES_TABLE, UPLOADS_BUCKET, STEP_TIMEOUT_SECONDS (when a PROCESSING file counts as stuck), plus the AWS SDK's (AWS_REGION, AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL for a local S3, credentials).
 */
import { documentClient } from '../../shared/aws-clients.js';
import { s3Client } from '../adapters/aws-clients.js';
import { DynamoDbFileRepository } from '../adapters/dynamodb-file-repository.js';
import { S3ObjectStore } from '../adapters/s3-object-store.js';
import { S3UrlSigner, s3EndpointFromEnv } from '../adapters/s3-url-signer.js';
import { FileChangesService } from '../domain/files-service.js';
import { systemClock } from '../domain/ports.js';
import { requireEnv } from '../../shared/config.js';
import { stepTimeoutMs } from './config.js';
import { createLogger } from '../../shared/logger.js';
import { createFileChangesApi } from './files-routers.js';

const logger = createLogger('file-changes-api');

let service: FileChangesService | undefined;

/** Built on first use, so a missing variable fails the invocation with a logged cause. */
function fileChangesService(): FileChangesService {
  if (service === undefined) {
    const bucket = requireEnv('UPLOADS_BUCKET');
    service = new FileChangesService({
      repository: new DynamoDbFileRepository({ client: documentClient, tableName: requireEnv('FILES_TABLE') }),
      // The same URLs as the files API's (file and files), for the File reprocessFile returns.
      urls: new S3UrlSigner({ bucket, region: requireEnv('AWS_REGION'), endpoint: s3EndpointFromEnv() }),
      objects: new S3ObjectStore({ client: s3Client, bucket }),
      clock: systemClock,
      stepTimeoutMs: stepTimeoutMs(),
    });
  }
  return service;
}

export const handler = createFileChangesApi(fileChangesService, logger);
