import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { S3ObjectStore } from '../../resolvers/files/adapters/s3-object-store.js';
import { S3UrlSigner } from '../../resolvers/files/adapters/s3-url-signer.js';
import { SizeMismatchError } from '../../resolvers/files/domain/errors.js';
import * as images from '../unit/resolvers/helpers/images.js';
import { CREDENTIALS, REGION, s3Client } from '../support/integration.js';

/**
 * The store, and the production signer's URLs (s3-url-signer.ts, built as the files API builds
 * it but pointed at the local S3) on the same bucket: what a presigned PUT uploads, the store and a
 * presigned GET read back.
 */
describe('S3ObjectStore and S3UrlSigner against the local S3', () => {
  let store: S3ObjectStore;
  let signer: S3UrlSigner;
  const bucket = inject('uploadsBucket');
  const endpoint = inject('s3Endpoint');

  beforeAll(() => {
    store = new S3ObjectStore({ client: s3Client(), bucket });
    signer = new S3UrlSigner({ bucket, region: REGION, endpoint, credentials: CREDENTIALS });
  });

  it('given a presigned PUT, then it is path-style on the IP endpoint, signs content-type and content-length, and carries no checksum', async () => {
    const key = `uploads/user-1/${randomUUID()}`;
    const url = new URL(
      await signer.presignPut({ key, contentType: 'image/jpeg', contentLength: 10, expiresInSeconds: 900 }),
    );
    expect(`${url.origin}${url.pathname}`).toBe(`${endpoint}/${bucket}/${key}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().startsWith('x-amz-checksum'))).toEqual([]);
  });

  it('given a presigned PUT, when fetch PUTs the bytes with the ticket headers, then it succeeds and the bytes read back (store and presigned GET)', async () => {
    const key = `uploads/user-1/${randomUUID()}`;
    const bytes = await images.jpeg();
    const url = await signer.presignPut({
      key,
      contentType: 'image/jpeg',
      contentLength: bytes.length,
      expiresInSeconds: 900,
    });

    const put = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'image/jpeg', 'content-length': String(bytes.length) },
      body: bytes,
    });
    expect(put.status).toBe(200);

    expect(Buffer.from(await store.getObject(key, { maxBytes: bytes.length }))).toEqual(Buffer.from(bytes));
    const get = await fetch(await signer.presignGet(key, 60));
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await get.arrayBuffer())).toEqual(Buffer.from(bytes));
  });

  it('given an object larger than allowed, when read, then SizeMismatchError without reading it', async () => {
    const key = `uploads/user-1/${randomUUID()}`;
    await store.putObject({ key, body: new Uint8Array(1000), contentType: 'image/png' });
    await expect(store.getObject(key, { maxBytes: 999 })).rejects.toBeInstanceOf(SizeMismatchError);
  });

  it('given a missing object, when read, then ObjectNotFoundError with the SDK error as its cause (the pipeline decides whether that is final)', async () => {
    await expect(store.getObject(`uploads/user-1/${randomUUID()}`, { maxBytes: 10 })).rejects.toMatchObject({
      name: 'ObjectNotFoundError',
      cause: { name: 'NoSuchKey' },
    });
  });

  it('given an object with metadata, when copied elsewhere, headed and deleted, then the copy has the bytes, head has size and metadata, and the object is gone', async () => {
    const key = `uploads/user-1/${randomUUID()}`;
    await store.putObject({ key, body: new Uint8Array([1, 2, 3]), contentType: 'image/png' });
    const copy = `quarantine/user-1/${randomUUID()}`;

    await store.copyObject({ from: key, to: copy, metadata: { 'correlation-id': 'c-1' } });
    await store.deleteObject(key);

    expect(await store.headObject(copy)).toEqual({ size: 3, metadata: { 'correlation-id': 'c-1' } });
    expect(await store.getObject(copy, { maxBytes: 10 })).toEqual(new Uint8Array([1, 2, 3]));
    expect(await store.headObject(key)).toBeNull();
    await expect(store.deleteObject(key)).resolves.toBeUndefined();
  });
});
