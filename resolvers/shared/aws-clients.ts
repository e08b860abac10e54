/**
 * AWS SDK clients, created once per module (i.e. once per Lambda execution environment) and
 * reused by every invocation. Region, endpoints and credentials come from the SDK's own
 * environment variables (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL_SNS, AWS_ENDPOINT_URL_SQS, ...), so the same code talks to AWS or to the local
 * stack. With PIPELINE_FAULTS set (tests only), DynamoDB calls go through injected throttling.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { faultsFromEnv } from '../../local/faults/rules.js';
import { installFaultMiddleware } from '../../local/faults/sdk-middleware.js';

export const dynamoDbClient = new DynamoDBClient({});

installFaultMiddleware(dynamoDbClient, faultsFromEnv(), (commandName, attempt) =>
  // One JSON line per injected fault, so tests and soak runs can count them.
  console.log(JSON.stringify({ level: 'WARN', message: 'Injected DynamoDB throttling', commandName, attempt, fault: 'dynamodb-throttle' })),
);

export const documentClient = createDocumentClient(dynamoDbClient);

/*
 * Marked pure so the bundler drops it (and with it the whole S3 client, ~120 KiB minified, which
 * V8 must compile on every cold start) from the functions that never import `s3Client`: the
 * files API function (it presigns without it: s3-url-signer.ts), the orders
 * saga and the notify function. A function that imports it still creates it at init.
 */
export const s3Client = /* @__PURE__ */ createS3Client();

let sns: SNSClient | undefined;
let sqs: SQSClient | undefined;

/** Created on first use: most functions never publish or poll. */
export const snsClient = (): SNSClient => (sns ??= new SNSClient({}));
export const sqsClient = (): SQSClient => (sqs ??= new SQSClient({}));

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
