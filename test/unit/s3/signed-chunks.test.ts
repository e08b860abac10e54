/**
 * Signed streaming uploads, checked against the worked example in S3's documentation
 * ("Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks",
 * Example: PUT Object): 65 KiB then 1 KiB of 'a', with its seed and chunk signatures.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unrestrictedPrincipal } from '../../../local/s3/access.js';
import { authenticate } from '../../../local/s3/auth.js';
import { receiveBody } from '../../../local/s3/body.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const CHUNK_SIGNATURES = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];
const HEADERS = {
  host: 's3.amazonaws.com',
  'x-amz-date': '20130524T000000Z',
  'x-amz-storage-class': 'REDUCED_REDUNDANCY',
  authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${SEED}`,
  'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'content-encoding': 'aws-chunked',
  'x-amz-decoded-content-length': '66560',
  'content-length': '66824',
};

const body = (chunks: readonly Buffer[]) => {
  const framed = [...chunks, Buffer.alloc(0)].map((chunk, i) =>
    Buffer.concat([Buffer.from(`${chunk.length.toString(16)};chunk-signature=${CHUNK_SIGNATURES[i]}\r\n`), chunk, Buffer.from('\r\n')]),
  );
  return Object.assign(
    (async function* () {
      yield* framed;
    })(),
    { headers: HEADERS },
  );
};

describe("S3's chunked-upload example", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-signed-chunks-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('given its headers, when authenticated at its date, then the seed signature verifies', async () => {
    const principal = unrestrictedPrincipal({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET });

    const caller = authenticate({ method: 'PUT', url: '/examplebucket/chunkObject.txt', headers: HEADERS }, (id) => (id === principal.accessKeyId ? principal : undefined), Date.UTC(2013, 4, 24));

    await expect(caller).resolves.toBe(principal);
  });

  it('given its chunks and their signatures, when received, then the object is the 66560 bytes of the chunks', async () => {
    const received = await receiveBody(body([Buffer.alloc(65536, 'a'), Buffer.alloc(1024, 'a')]), { headers: HEADERS, path: join(dir, 'body'), secretAccessKey: SECRET });

    expect(received.size).toBe(66560);
    expect((await readFile(join(dir, 'body'))).equals(Buffer.alloc(66560, 'a'))).toBe(true);
  });

  it('given one byte of the second chunk changed, when received, then SignatureDoesNotMatch and no file is left', async () => {
    const tampered = Buffer.alloc(1024, 'a');
    tampered[10] = 0x62;

    const receiving = receiveBody(body([Buffer.alloc(65536, 'a'), tampered]), { headers: HEADERS, path: join(dir, 'body'), secretAccessKey: SECRET });

    await expect(receiving).rejects.toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    expect(await readdir(dir)).toEqual([]);
  });
});
