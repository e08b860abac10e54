import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../local/services/dynamodb.js';
import { type RunningS3rver, encodeS3EventKey, startS3rver } from '../../local/services/s3rver.js';
import { createS3Client } from '../../resolvers/adapters/clients.js';
import { decodeS3EventKey } from '../../resolvers/files/keys.js';
import { CREDENTIALS, REGION } from './helpers.js';

describe('startS3rver', () => {
  let s3: RunningS3rver;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'events-s3rver-'));
    s3 = await startS3rver({ directory, buckets: ['events'], accessKeyIds: ['events-key'], region: 'eu-west-1' });
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

  it('given an access key id it was not told about, when a request is signed with it, then s3rver refuses it', async () => {
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
