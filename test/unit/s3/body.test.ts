import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Crc32 } from '@aws-sdk/checksums/crc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { receiveBody } from '../../../local/s3/body.js';

/** A request body as node:http hands it over: its pieces, and its headers. */
const requestOf = (pieces: readonly (string | Buffer)[], headers: Record<string, string>) =>
  Object.assign(
    (async function* () {
      for (const piece of pieces) yield Buffer.from(piece);
    })(),
    { headers },
  );

const crc32Of = async (data: Buffer) => {
  const crc = new Crc32();
  crc.update(data);
  return Buffer.from(await crc.digest()).toString('base64');
};

/** `aws-chunked` as the SDK frames a stream: chunks, a zero chunk, the trailer, an empty line. */
const awsChunked = (chunks: readonly Buffer[], trailer: string) =>
  [...chunks.map((c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')])), Buffer.from(`0\r\n${trailer}\r\n\r\n`)];

describe('receiving an S3 request body', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-body-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const data = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i % 256));
  const chunkedHeaders = () => ({
    'content-encoding': 'aws-chunked',
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'x-amz-decoded-content-length': String(data.length),
    'x-amz-trailer': 'x-amz-checksum-crc32',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
  });

  it('given an aws-chunked body split mid-chunk with a trailing CRC32, when received, then the file holds the decoded bytes and the checksum is the trailer', async () => {
    const crc = await crc32Of(data);
    const framed = Buffer.concat(awsChunked([data.subarray(0, 8192), data.subarray(8192)], `x-amz-checksum-crc32:${crc}`));
    const pieces = [framed.subarray(0, 5), framed.subarray(5, 9000), framed.subarray(9000)];

    const received = await receiveBody(requestOf(pieces, chunkedHeaders()), { headers: chunkedHeaders(), path: join(dir, 'body') });

    expect(await readFile(join(dir, 'body'))).toEqual(data);
    expect(received).toMatchObject({ size: data.length, checksum: { algorithm: 'CRC32', value: crc }, md5Hex: createHash('md5').update(data).digest('hex') });
  });

  it('given an aws-chunked body whose trailing checksum is not its bytes, when received, then BadDigest and no file is left', async () => {
    const framed = awsChunked([data], 'x-amz-checksum-crc32:AAAAAA==');

    const receiving = receiveBody(requestOf(framed, chunkedHeaders()), { headers: chunkedHeaders(), path: join(dir, 'body') });

    await expect(receiving).rejects.toMatchObject({ code: 'BadDigest', status: 400 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('given a signed payload hash that is not the body, when received, then XAmzContentSHA256Mismatch and no file is left', async () => {
    const headers = { 'x-amz-content-sha256': createHash('sha256').update('other').digest('hex'), 'content-length': String(data.length) };

    const receiving = receiveBody(requestOf([data], headers), { headers, path: join(dir, 'body') });

    await expect(receiving).rejects.toMatchObject({ code: 'XAmzContentSHA256Mismatch' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('given fewer bytes than Content-Length, when received, then IncompleteBody and no file is left', async () => {
    const headers = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': String(data.length + 1) };

    await expect(receiveBody(requestOf([data], headers), { headers, path: join(dir, 'body') })).rejects.toMatchObject({ code: 'IncompleteBody' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('given x-amz-sdk-checksum-algorithm with no checksum header or trailer, when received, then InvalidRequest before anything is written', async () => {
    const headers = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-sdk-checksum-algorithm': 'CRC32' };

    await expect(receiveBody(requestOf([data], headers), { headers, path: join(dir, 'body') })).rejects.toMatchObject({ code: 'InvalidRequest' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('given no checksum from the client, when received, then none is computed, unless a default algorithm is asked for (a multipart upload\'s)', async () => {
    const headers = { 'x-amz-content-sha256': createHash('sha256').update(data).digest('hex'), 'content-length': String(data.length) };

    const plain = await receiveBody(requestOf([data], headers), { headers, path: join(dir, 'plain') });
    const withDefault = await receiveBody(requestOf([data], headers), { headers, path: join(dir, 'default'), defaultAlgorithm: 'CRC32' });

    expect(plain.checksum).toBeUndefined();
    expect(withDefault.checksum).toEqual({ algorithm: 'CRC32', value: await crc32Of(data) });
  });
});
