/** Event, context and record factories (Powertools style: realistic defaults, overrides). */
import type { AppSyncResolverEvent, Context, S3Event } from 'aws-lambda';
import { type FileRecord, pendingUpload } from '../../../../resolvers/files/domain/model.js';

export const OWNER = '7d3f1c2a-1111-4222-8333-444455556666';
export const OTHER_OWNER = '0a0b0c0d-9999-4888-8777-666655554444';

export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'files-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:files-api',
    memoryLimitInMB: '512',
    awsRequestId: 'lambda-request-id',
    logGroupName: '/aws/lambda/files-api',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

export function cognitoIdentity(sub: string = OWNER) {
  return {
    sub,
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test',
    username: 'alice',
    claims: { sub },
    sourceIp: ['127.0.0.1'],
    defaultAuthStrategy: 'ALLOW',
    groups: null,
  };
}

/** A direct Lambda resolver event as AppSync sends it. */
export function appSyncEvent<TArgs extends Record<string, unknown>>(
  parentTypeName: string,
  fieldName: string,
  args: TArgs,
  identity: unknown = cognitoIdentity(),
  headers: Record<string, string> = { 'x-amzn-requestid': 'appsync-request-id' },
): AppSyncResolverEvent<TArgs> {
  return {
    arguments: args,
    identity: identity as AppSyncResolverEvent<TArgs>['identity'],
    source: null,
    request: { headers, domainName: null },
    info: {
      fieldName,
      parentTypeName,
      variables: {},
      selectionSetList: ['id'],
      selectionSetGraphQL: '{ id }',
    },
    prev: null,
    stash: {},
  };
}

export function s3Event(bucket: string, ...keys: string[]): S3Event {
  return {
    Records: keys.map((key) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventTime: '2025-01-02T03:04:05.000Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:X' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'i' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'uploads',
        bucket: { name: bucket, ownerIdentity: { principalId: 'X' }, arn: `arn:aws:s3:::${bucket}` },
        object: { key, size: 1, eTag: 'e', sequencer: 's' },
      },
    })),
  };
}

export function pendingRecord(overrides: Partial<FileRecord> & { id: string }): FileRecord {
  const owner = overrides.owner ?? OWNER;
  const file = { id: overrides.id, owner, fileName: 'holiday.jpg', contentType: 'image/jpeg', size: 1234, correlationId: null };
  return { ...pendingUpload({ ...file, at: '2025-01-02T03:04:05.678Z' }), ...overrides };
}
