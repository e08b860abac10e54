/**
 * The local S3 (local/s3) with the AWS SDK as a client, against S3's documented behaviour
 * (/work/shared/reference/s3-behaviour.md): conditional writes, versioning, multipart, ranges,
 * copies, batch deletes, listings, and the checksums the SDK sends by default.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unrestrictedPrincipal } from '../../local/s3/index.js';
import { type StandaloneS3, startStandaloneS3 } from '../../local/s3/standalone.js';
import { createS3Client } from '../../resolvers/files/adapters/aws-clients.js';
import { CREDENTIALS, REGION } from '../support/integration.js';

const VERSIONED = 'versioned';
const PLAIN = 'plain';

describe('the local S3', () => {
  let s3: StandaloneS3;
  let directory: string;
  let client: S3Client;
  const created: S3Event[] = [];

  const start = () =>
    startStandaloneS3({
      directory,
      buckets: [
        { name: VERSIONED, versioning: 'Enabled' },
        { name: PLAIN, versioning: 'Unversioned' },
      ],
      principals: [unrestrictedPrincipal(CREDENTIALS)],
    });

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'local-s3-'));
    s3 = await start();
    s3.onObjectCreated((event) => {
      created.push(event);
    });
    // The SDK's defaults: a CRC32 on every upload, validation on every download.
    client = new S3Client({ endpoint: s3.endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true });
  });

  afterAll(async () => {
    client.destroy();
    await s3.stop();
    await rm(directory, { recursive: true, force: true });
  });

  const text = async (bucket: string, key: string, extra: { VersionId?: string; Range?: string } = {}) =>
    (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }))).Body?.transformToString();

  describe('conditional writes', () => {
    it('given an object, when a PUT with If-None-Match: * writes the same key, then 412 PreconditionFailed and the object is unchanged', async () => {
      const key = `uploads/${randomUUID()}`;
      await client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: 'first', IfNoneMatch: '*' }));

      const second = client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: 'second', IfNoneMatch: '*' }));

      await expect(second).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
      expect(await text(VERSIONED, key)).toBe('first');
      const versions = await client.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: key }));
      expect(versions.Versions).toHaveLength(1);
    });

    it('given a key whose current version is a delete marker, when a PUT with If-None-Match: * writes it, then it succeeds', async () => {
      const key = `uploads/${randomUUID()}`;
      await client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: 'a' }));
      await client.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: key }));

      await client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: 'b', IfNoneMatch: '*' }));

      expect(await text(VERSIONED, key)).toBe('b');
    });

    it('given an object, when a PUT carries If-Match with another ETag, then 412; with its ETag, then it replaces it; on a missing key, then 404', async () => {
      const key = `uploads/${randomUUID()}`;
      const put = await client.send(new PutObjectCommand({ Bucket: PLAIN, Key: key, Body: 'one' }));

      await expect(client.send(new PutObjectCommand({ Bucket: PLAIN, Key: key, Body: 'two', IfMatch: '"0123"' }))).rejects.toMatchObject({
        name: 'PreconditionFailed',
      });
      await client.send(new PutObjectCommand({ Bucket: PLAIN, Key: key, Body: 'two', IfMatch: put.ETag }));
      await expect(client.send(new PutObjectCommand({ Bucket: PLAIN, Key: `${key}-missing`, Body: 'x', IfMatch: put.ETag }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 404 },
      });

      expect(await text(PLAIN, key)).toBe('two');
    });
  });

  describe('versioning', () => {
    it('given two versions and a delete, then GET is 404 with a delete marker, the versions list newest first, and deleting each by id leaves nothing', async () => {
      const key = `uploads/${randomUUID()}`;
      const v1 = await client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: 'v1' }));
      const v2 = await client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: 'v2' }));
      const deleted = await client.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: key }));

      expect(deleted.DeleteMarker).toBe(true);
      await expect(client.send(new HeadObjectCommand({ Bucket: VERSIONED, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
      expect(await text(VERSIONED, key, { VersionId: v1.VersionId ?? '' })).toBe('v1');
      const listed = await client.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: key }));
      expect(listed.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([
        [v2.VersionId, false],
        [v1.VersionId, false],
      ]);
      expect(listed.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([[deleted.VersionId, true]]);
      expect((await client.send(new ListObjectsV2Command({ Bucket: VERSIONED, Prefix: key }))).KeyCount).toBe(0);

      for (const versionId of [deleted.VersionId, v2.VersionId, v1.VersionId]) {
        await client.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: key, VersionId: versionId ?? '' }));
      }

      const after = await client.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: key }));
      expect([...(after.Versions ?? []), ...(after.DeleteMarkers ?? [])]).toEqual([]);
    });

    it('given an unversioned bucket, when a key is written twice, then one version with id null is kept', async () => {
      const key = `uploads/${randomUUID()}`;
      await client.send(new PutObjectCommand({ Bucket: PLAIN, Key: key, Body: 'a' }));
      await client.send(new PutObjectCommand({ Bucket: PLAIN, Key: key, Body: 'b' }));

      const listed = await client.send(new ListObjectVersionsCommand({ Bucket: PLAIN, Prefix: key }));

      expect(listed.Versions?.map((v) => v.VersionId)).toEqual(['null']);
    });
  });

  describe('bodies and checksums', () => {
    it('given the SDK defaults, when a buffer and a stream (aws-chunked, trailing CRC32) are put, then the objects hold exactly the bytes and GET validates their checksum', async () => {
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
      const buffered = `uploads/${randomUUID()}`;
      const streamed = `uploads/${randomUUID()}`;

      const put = await client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: buffered, Body: bytes }));
      await client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: streamed, Body: Readable.from([bytes.subarray(0, 40_000), bytes.subarray(40_000)]), ContentLength: bytes.length }));

      expect(put.ChecksumCRC32).toBeDefined();
      for (const key of [buffered, streamed]) {
        const got = await client.send(new GetObjectCommand({ Bucket: VERSIONED, Key: key, ChecksumMode: 'ENABLED' }));
        expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
        expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(bytes);
      }
    });

    it('given an object put without a checksum (as the handlers put), when read with checksum mode, then its CRC64NVME comes back and the SDK validates it, the same on every read', async () => {
      const key = `uploads/${randomUUID()}`;
      const bytes = Buffer.from(Array.from({ length: 30_000 }, (_, i) => (i * 7) % 256));
      const noChecksums = createS3Client({ endpoint: s3.endpoint, region: REGION, credentials: CREDENTIALS });
      const put = await noChecksums.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: bytes }));
      noChecksums.destroy();

      const reads = [];
      for (let i = 0; i < 2; i += 1) {
        const got = await client.send(new GetObjectCommand({ Bucket: VERSIONED, Key: key, ChecksumMode: 'ENABLED' }));
        expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(bytes);
        reads.push(got.ChecksumCRC64NVME);
      }

      expect(put.ChecksumCRC64NVME).toBeUndefined();
      expect(reads[0]).toMatch(/^[A-Za-z0-9+/]{11}=$/);
      expect(reads[1]).toBe(reads[0]);
    });

    it('given a checksum that does not match the body, when put, then 400 BadDigest and nothing is stored', async () => {
      const key = `uploads/${randomUUID()}`;

      const put = client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: 'data', ChecksumCRC32: 'AAAAAA==' }));

      await expect(put).rejects.toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
      expect((await client.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: key }))).Versions).toBeUndefined();
    });

    it('given an object, when a range is read, then 206 with those bytes only', async () => {
      const key = `uploads/${randomUUID()}`;
      await client.send(new PutObjectCommand({ Bucket: PLAIN, Key: key, Body: '0123456789' }));

      const got = await client.send(new GetObjectCommand({ Bucket: PLAIN, Key: key, Range: 'bytes=2-4' }));

      expect(got.ContentRange).toBe('bytes 2-4/10');
      expect(await got.Body?.transformToString()).toBe('234');
      expect(await text(PLAIN, key, { Range: 'bytes=-3' })).toBe('789');
    });
  });

  it('given a multipart upload of a 5 MiB part and a small one, when completed, then the object is both parts in order with an ETag of 2 parts, and one ObjectCreated:CompleteMultipartUpload', async () => {
    const key = `uploads/${randomUUID()}`;
    const first = Buffer.alloc(5 * 1024 * 1024, 'a');
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: VERSIONED, Key: key, ContentType: 'text/plain' }));
    const parts = [];
    for (const [index, body] of [first, Buffer.from('tail')].entries()) {
      const part = await client.send(new UploadPartCommand({ Bucket: VERSIONED, Key: key, UploadId, PartNumber: index + 1, Body: body }));
      parts.push({ PartNumber: index + 1, ETag: part.ETag ?? '', ChecksumCRC32: part.ChecksumCRC32 ?? '' });
    }

    const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: VERSIONED, Key: key, UploadId, MultipartUpload: { Parts: parts } }));

    expect(done.ETag).toMatch(/-2"$/);
    const head = await client.send(new HeadObjectCommand({ Bucket: VERSIONED, Key: key }));
    expect([head.ContentLength, head.ContentType]).toEqual([first.length + 4, 'text/plain']);
    expect(await text(VERSIONED, key, { Range: `bytes=${first.length - 1}-` })).toBe('atail');
    const events = created.flatMap((e) => e.Records).filter((r) => r.s3.object.key === key);
    expect(events.map((r) => r.eventName)).toEqual(['ObjectCreated:CompleteMultipartUpload']);
  });

  it('given objects, when copied, deleted in a batch and listed with a delimiter, then S3 answers each as documented', async () => {
    const prefix = `files/${randomUUID()}/`;
    await client.send(new PutObjectCommand({ Bucket: PLAIN, Key: `${prefix}a.txt`, Body: 'a', Metadata: { owner: 'alice' } }));
    await client.send(new CopyObjectCommand({ Bucket: PLAIN, Key: `${prefix}dir/b.txt`, CopySource: `${PLAIN}/${prefix}a.txt` }));
    await client.send(new PutObjectCommand({ Bucket: PLAIN, Key: `${prefix}dir/c.txt`, Body: 'c' }));

    const listed = await client.send(new ListObjectsV2Command({ Bucket: PLAIN, Prefix: prefix, Delimiter: '/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([`${prefix}a.txt`]);
    expect(listed.CommonPrefixes?.map((p) => p.Prefix)).toEqual([`${prefix}dir/`]);
    expect((await client.send(new HeadObjectCommand({ Bucket: PLAIN, Key: `${prefix}dir/b.txt` }))).Metadata).toEqual({ owner: 'alice' });

    const deleted = await client.send(
      new DeleteObjectsCommand({ Bucket: PLAIN, Delete: { Objects: [{ Key: `${prefix}a.txt` }, { Key: `${prefix}dir/b.txt` }, { Key: `${prefix}dir/c.txt` }] } }),
    );

    expect(deleted.Deleted?.map((d) => d.Key).sort()).toEqual([`${prefix}a.txt`, `${prefix}dir/b.txt`, `${prefix}dir/c.txt`]);
    expect((await client.send(new ListObjectsV2Command({ Bucket: PLAIN, Prefix: prefix }))).KeyCount).toBe(0);
  });

  it('given 5 keys of 2 versions each, when versions and objects are listed 3 to a page, then every version and every key comes exactly once, in order', async () => {
    const prefix = `paged/${randomUUID()}/`;
    const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => `${prefix}${k}`);
    for (const key of keys) {
      await client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: '1' }));
      await client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: '2' }));
    }

    const versions: string[] = [];
    let pages = 0;
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (;;) {
      const page = await client.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: prefix, MaxKeys: 3, ...markers }));
      pages += 1;
      versions.push(...(page.Versions ?? []).map((v) => `${v.Key}@${v.VersionId}`));
      if (!page.IsTruncated) break;
      markers = { KeyMarker: page.NextKeyMarker ?? '', VersionIdMarker: page.NextVersionIdMarker ?? '' };
    }
    const listedKeys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: VERSIONED, Prefix: prefix, MaxKeys: 3, ContinuationToken: token }));
      listedKeys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token !== undefined);

    expect(pages).toBe(4);
    expect(versions).toHaveLength(10);
    expect(versions.filter((v, i) => versions.indexOf(v) !== i)).toEqual([]);
    expect(versions.map((v) => v.split('@')[0])).toEqual(keys.flatMap((k) => [k, k]));
    expect(listedKeys).toEqual(keys);
  });

  it('given two buckets, when the caller lists buckets, then both are named', async () => {
    const listed = await client.send(new ListBucketsCommand({}));

    expect(listed.Buckets?.map((b) => b.Name).sort()).toEqual([PLAIN, VERSIONED]);
  });

  it('given objects written, when the store restarts on the same folder, then every version is still there', async () => {
    const key = `uploads/${randomUUID()}`;
    await client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: 'kept' }));
    await s3.stop();

    s3 = await start();
    client = new S3Client({ endpoint: s3.endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true });

    expect(await text(VERSIONED, key)).toBe('kept');
  });
});
