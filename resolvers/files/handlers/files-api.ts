/**
 * Lambda entry for Query.file, Query.files, Query.uploadPolicy and Mutation.createUpload: the
 * latency-critical fields, which read DynamoDB and only SIGN S3 URLs (the upload's PUT, the
 * thumbnails' GETs), locally, with no S3 client in the bundle. reprocessFile and deleteFile,
 * which call S3, are file-changes-api.ts.
 * Env: FILES_TABLE, UPLOADS_BUCKET, UPLOAD_TICKET_TTL_SECONDS (default 900), plus the AWS SDK's
 * (AWS_REGION, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for a local S3, credentials).
 */
import { documentClient } from '../../shared/aws-clients.js';
import { DynamoDbFileRepository } from '../adapters/dynamodb-file-repository.js';
import { S3UrlSigner, s3EndpointFromEnv } from '../adapters/s3-url-signer.js';
import { FilesService } from '../domain/files-service.js';
import { systemClock } from '../domain/ports.js';
import { requireEnv } from '../../shared/config.js';
import { uploadTicketTtlSeconds } from './config.js';
import { createLogger } from '../../shared/logger.js';
import { createFilesApi } from './files-routers.js';

const logger = createLogger('files-api');

let service: FilesService | undefined;

/** Built on first use, so a missing variable fails the invocation with a logged cause. */
function filesService(): FilesService {
  service ??= new FilesService({
    repository: new DynamoDbFileRepository({ client: documentClient, tableName: requireEnv('FILES_TABLE') }),
    urls: new S3UrlSigner({ bucket: requireEnv('UPLOADS_BUCKET'), region: requireEnv('AWS_REGION'), endpoint: s3EndpointFromEnv() }),
    clock: systemClock,
    ticketTtlSeconds: uploadTicketTtlSeconds(),
  });
  return service;
}

export const handler = createFilesApi(filesService, logger);
