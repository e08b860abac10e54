/**
 * Lambda entry for Query.file, Query.files, Query.uploadPolicy and Mutation.createUpload,
 * reprocessFile and deleteFile.
 * Env: FILES_TABLE, UPLOADS_BUCKET, UPLOAD_TICKET_TTL_SECONDS (default 900), plus the AWS SDK's.
 */
import { documentClient, s3Client } from '../adapters/clients.js';
import { DynamoDbFileRepository } from '../adapters/dynamodb-file-repository.js';
import { S3ObjectStore } from '../adapters/s3-object-store.js';
import { FilesService } from '../files/files-service.js';
import { systemClock } from '../files/ports.js';
import { requireEnv, uploadTicketTtlSeconds } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { createFilesApi } from './files-api.js';

const logger = createLogger('files-api');

let service: FilesService | undefined;

/** Built on first use, so a missing variable fails the invocation with a logged cause. */
function filesService(): FilesService {
  service ??= new FilesService({
    repository: new DynamoDbFileRepository({ client: documentClient, tableName: requireEnv('FILES_TABLE') }),
    objectStore: new S3ObjectStore({ client: s3Client, bucket: requireEnv('UPLOADS_BUCKET') }),
    clock: systemClock,
    ticketTtlSeconds: uploadTicketTtlSeconds(),
  });
  return service;
}

export const handler = createFilesApi(filesService, logger);
