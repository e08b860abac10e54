/**
 * The files API entry, configured ONLY through environment variables (as on AWS), running
 * in-process against DynamoDB Local and the local S3. (The pipeline's entries are exercised in
 * pipeline-handlers.test.ts.)
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { unrestrictedPrincipal } from '../../local/s3/index.js';
import { type StandaloneS3, startStandaloneS3 } from '../../local/s3/standalone.js';
import { createS3Client } from '../../resolvers/files/adapters/aws-clients.js';
import { S3ObjectStore } from '../../resolvers/files/adapters/s3-object-store.js';
import type { FileConnection, UploadPolicy, UploadTicket } from '../../resolvers/generated/graphql.js';
import { appSyncEvent, cognitoIdentity, lambdaContext } from '../unit/resolvers/helpers/factories.js';
import * as images from '../unit/resolvers/helpers/images.js';
import { CREDENTIALS, REGION, createFilesTable, dynamoClient } from '../support/integration.js';

const BUCKET = 'handlers-uploads';
const owner = '5b1c3d2e-0000-4111-8222-333344445555';

interface Recorded {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: { query: string; variables: { input: Record<string, unknown> } };
}

describe('Lambda handlers configured by environment', () => {
  let s3: StandaloneS3;
  let directory: string;
  let appsync: Server;
  const published: Recorded[] = [];
  let filesHandler: (event: unknown, context: Context) => Promise<unknown>;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'handlers-s3-'));
    s3 = await startStandaloneS3({ directory, buckets: [{ name: BUCKET, versioning: 'Enabled' }], principals: [unrestrictedPrincipal(CREDENTIALS)] });
    appsync = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const parsed = JSON.parse(body) as Recorded['body'];
        published.push({ headers: req.headers, body: parsed });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { publishFileEvent: { ...parsed.variables.input, at: new Date().toISOString() } } }));
      });
    });
    await new Promise<void>((resolve) => appsync.listen(0, '127.0.0.1', resolve));
    const address = appsync.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;

    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      FILES_TABLE: await createFilesTable(dynamoClient(), 'handlers'),
      UPLOADS_BUCKET: BUCKET,
      GRAPHQL_URL: `http://127.0.0.1:${port}/graphql`,
      UPLOAD_TICKET_TTL_SECONDS: '600',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    // Imported only now: the handlers (and their SDK clients) see nothing but the environment.
    filesHandler = (await import('../../resolvers/files/handlers/files-api.js')).handler;
  });

  afterAll(async () => {
    await s3?.stop();
    await new Promise((resolve) => appsync?.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  const call = (parent: string, field: string, args: Record<string, unknown>, identity: unknown = cognitoIdentity(owner)) =>
    filesHandler(appSyncEvent(parent, field, args, identity), lambdaContext());

  it('given an API-key caller, when asking for the upload policy, then the TTL comes from UPLOAD_TICKET_TTL_SECONDS', async () => {
    const policy = (await call('Query', 'uploadPolicy', {}, null)) as UploadPolicy;
    expect(policy.ticketTtlSeconds).toBe(600);
  });

  it('given a ticket, when the client PUTs with exactly the ticket headers, then the object carries the GraphQL request id as its correlation id', async () => {
    const bytes = await images.jpeg(30, 20);
    const ticket = (await call('Mutation', 'createUpload', {
      input: { fileName: 'my photo.jpg', contentType: 'image/jpeg', size: bytes.length },
    })) as UploadTicket;
    const headers = JSON.parse(ticket.uploadHeaders ?? '{}') as Record<string, string>;
    expect(headers['x-amz-meta-correlation-id']).toBe('appsync-request-id');

    const put = await fetch(ticket.uploadUrl, { method: 'PUT', headers, body: bytes });

    expect(put.status).toBe(200);
    const store = new S3ObjectStore({
      client: createS3Client({ endpoint: s3.endpoint, region: REGION, credentials: CREDENTIALS }),
      bucket: BUCKET,
    });
    const head = await store.headObject(`uploads/${owner}/${ticket.file.id}`);
    expect(head?.metadata['correlation-id']).toBe('appsync-request-id');
  });

  it('given files of mine, when listed, then they come newest first', async () => {
    const first = (await call('Mutation', 'createUpload', {
      input: { fileName: 'a.png', contentType: 'image/png', size: 10 },
    })) as UploadTicket;
    const second = (await call('Mutation', 'createUpload', {
      input: { fileName: 'b.png', contentType: 'image/png', size: 10 },
    })) as UploadTicket;
    const page = (await call('Query', 'files', { limit: 2 })) as FileConnection;
    expect(page.items.map((f) => f.id)).toEqual([second.file.id, first.file.id]);
    expect(page.nextToken).not.toBeNull();
  });

  it('given a malformed nextToken, when listing, then ValidationError is thrown', async () => {
    await expect(call('Query', 'files', { nextToken: 'garbage' })).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
