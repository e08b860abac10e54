/**
 * AWS SDK clients, created once per module (i.e. once per Lambda execution environment) and
 * reused by every invocation. Region, endpoints and credentials come from the SDK's own
 * environment variables (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3, ...), so
 * the same code talks to AWS or to the local stack.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

export const dynamoDbClient = new DynamoDBClient({});

export const documentClient = createDocumentClient(dynamoDbClient);

export const s3Client = createS3Client();

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * Checksums only when an operation requires them. With the SDK's default ("when supported")
 * a presigned PUT carries `x-amz-checksum-crc32` of an EMPTY body, and S3 then rejects the
 * client's upload of the real bytes. Path-style addressing needs no setting: the SDK uses it
 * by itself when the endpoint is an IP address (the local stack's 127.0.0.1), presigned URLs
 * included.
 */
export function createS3Client(config: ConstructorParameters<typeof S3Client>[0] = {}): S3Client {
  return new S3Client({
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...config,
  });
}
