import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteBucketCorsCommand, DeleteObjectCommand, GetBucketCorsCommand, PutBucketCorsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../local/services/dynamodb.js';
import { encodeS3EventKey, unrestrictedPrincipal } from '../../local/s3/index.js';
import { type StandaloneS3, startStandaloneS3 } from '../../local/s3/standalone.js';
import { createS3Client } from '../../resolvers/files/adapters/aws-clients.js';
import { decodeS3EventKey } from '../../resolvers/files/domain/keys.js';
import { CREDENTIALS, REGION } from '../support/integration.js';

/** The uploads bucket's rule in the CDK app: browsers may PUT and GET from anywhere. */
const ANY_ORIGIN = [{ allowedOrigins: ['*'], allowedMethods: ['GET', 'PUT', 'HEAD'], allowedHeaders: ['*'], exposeHeaders: ['ETag'], maxAgeSeconds: 3000 }];

describe('startStandaloneS3', () => {
  let s3: StandaloneS3;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'events-s3-'));
    s3 = await startStandaloneS3({
      directory,
      buckets: [{ name: 'events', versioning: 'Unversioned', cors: ANY_ORIGIN }],
      principals: [unrestrictedPrincipal({ ...CREDENTIALS, accessKeyId: 'events-key' })],
      region: 'eu-west-1',
    });
  });

  afterAll(async () => {
    await s3.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('given a listener, when objects are put and deleted, then it gets S3-shaped ObjectCreated events only, keys encoded as S3 does', async () => {
    const events: S3Event[] = [];
    const unsubscribe = s3.onObjectCreated((event) => {
      events.push(event);
    });
    const client = createS3Client({
      endpoint: s3.endpoint,
      region: REGION,
      credentials: { ...CREDENTIALS, accessKeyId: 'events-key' },
    });
    const key = 'uploads/a user/été+1.png';
    await client.send(new PutObjectCommand({ Bucket: 'events', Key: key, Body: 'x' }));
    await client.send(new DeleteObjectCommand({ Bucket: 'events', Key: key }));
    unsubscribe();
    await client.send(new PutObjectCommand({ Bucket: 'events', Key: 'after-unsubscribe', Body: 'x' }));

    expect(events).toHaveLength(1);
    const record = events[0]?.Records[0];
    expect(record).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      awsRegion: 'eu-west-1',
      s3: { bucket: { name: 'events', arn: 'arn:aws:s3:::events' }, object: { size: 1 } },
    });
    expect(record?.s3.object.key).toBe('uploads/a+user/%C3%A9t%C3%A9%2B1.png');
    expect(decodeS3EventKey(record?.s3.object.key ?? '')).toBe(key);
    expect(encodeS3EventKey(key)).toBe(record?.s3.object.key);
  });

  it('given a bucket with a CORS configuration, when the CORS configuration is replaced and then deleted, then every request sees the change at once', async () => {
    const client = createS3Client({ endpoint: s3.endpoint, region: REGION, credentials: { ...CREDENTIALS, accessKeyId: 'events-key' } });
    const preflight = () =>
      fetch(`${s3.endpoint}/events/some-key`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
      });
    // The start-up configuration (any origin) is read, and so cached, by the first requests.
    expect((await preflight()).headers.get('access-control-allow-origin')).toBe('*');
    expect((await client.send(new GetBucketCorsCommand({ Bucket: 'events' }))).CORSRules?.[0]?.AllowedOrigins).toEqual(['*']);

    await client.send(
      new PutBucketCorsCommand({
        Bucket: 'events',
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://other.example'], AllowedMethods: ['GET'] }] },
      }),
    );
    expect((await client.send(new GetBucketCorsCommand({ Bucket: 'events' }))).CORSRules?.[0]?.AllowedOrigins).toEqual(['https://other.example']);
    expect((await preflight()).status).toBe(403);

    await client.send(new DeleteBucketCorsCommand({ Bucket: 'events' }));
    await expect(client.send(new GetBucketCorsCommand({ Bucket: 'events' }))).rejects.toMatchObject({ name: 'NoSuchCORSConfiguration' });
    expect((await preflight()).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('given an access key id it was not told about, when a request is signed with it, then the local S3 refuses it', async () => {
    const client = createS3Client({
      endpoint: s3.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'stranger', secretAccessKey: 'x' },
    });
    await expect(client.send(new PutObjectCommand({ Bucket: 'events', Key: 'k', Body: 'x' }))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
    });
  });
});

describe('startDynamoDbLocal', () => {
  it('given a started instance, when stopped, then the endpoint stops answering (the child is gone)', async () => {
    const dynamo = await startDynamoDbLocal();
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });

    await dynamo.stop();

    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
    client.destroy();
  });
});
