/**
 * The files domain's S3, SNS and SQS clients, created once per execution environment, configured
 * as resolvers/shared/aws-clients.ts says (the SDK's own environment variables: AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL_SNS, AWS_ENDPOINT_URL_SQS, ...).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

/*
 * Marked pure so the bundler drops it (and with it the whole S3 client, ~120 KiB minified, which
 * V8 must compile on every cold start) from the functions that never import `s3Client`: the
 * files API function (it presigns without it: s3-url-signer.ts), the dead-letter consumer and
 * the notify function. A function that imports it still creates it at init.
 */
export const s3Client = /* @__PURE__ */ createS3Client();

let sns: SNSClient | undefined;
let sqs: SQSClient | undefined;

/** Created on first use: most functions never publish or poll. */
export const snsClient = (): SNSClient => (sns ??= new SNSClient({}));
export const sqsClient = (): SQSClient => (sqs ??= new SQSClient({}));

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
