/**
 * The S3 client-free signer against the SDK's own presigning (getSignedUrl with an S3Client
 * configured as createS3Client configures it): for the same bucket, key, headers, clock and
 * credentials, the URLs must be the same string. No network: presigning is a local computation.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../../resolvers/files/adapters/aws-clients.js';
import { S3UrlSigner, encodeKeyPath, s3EndpointFromEnv } from '../../../resolvers/files/adapters/s3-url-signer.js';
import type { PresignPutRequest } from '../../../resolvers/files/domain/ports.js';
import { FixedClock } from './helpers/fakes.js';

const AT = new Date('2025-03-04T05:06:07.000Z');
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SESSION = { ...CREDENTIALS, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token+with/odd=chars' };

interface Target {
  readonly name: string;
  readonly region: string;
  readonly bucket: string;
  readonly endpoint?: string;
}

const TARGETS: Target[] = [
  { name: 'the local stack (path-style on an IP endpoint)', region: 'eu-west-1', bucket: 'local-uploads', endpoint: 'http://127.0.0.1:4569' },
  { name: 'AWS (virtual-hosted)', region: 'eu-west-1', bucket: 'appsynclambdastack-uploadsbucket5e5e9b64-1xyz2abc3def' },
  { name: 'AWS us-east-1 (virtual-hosted, regional)', region: 'us-east-1', bucket: 'filesprod-uploadsbucket-abc' },
  { name: 'AWS China (virtual-hosted, .com.cn)', region: 'cn-north-1', bucket: 'uploads-cn' },
  { name: 'AWS with a dotted bucket (path-style)', region: 'eu-central-1', bucket: 'uploads.example.com' },
];

const KEYS = [
  'uploads/5b1c3d2e-0000-4111-8222-333344445555/3f2b8c1e-5a6d-4e7f-8a9b-0c1d2e3f4a5b',
  'thumbnails/us-east-1:abc@x.y/3f2b8c1e-5a6d-4e7f-8a9b-0c1d2e3f4a5b/200x200.jpg',
  "odd/a b+c/é!'()*~._-/%2F/=&?#",
];

function sdk(target: Target, credentials: typeof CREDENTIALS) {
  return createS3Client({
    region: target.region,
    credentials,
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
  });
}

function signer(target: Target, credentials: typeof CREDENTIALS): S3UrlSigner {
  return new S3UrlSigner({
    bucket: target.bucket,
    region: target.region,
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
    credentials,
    clock: new FixedClock(AT),
  });
}

describe.each(TARGETS)('S3UrlSigner for $name', (target) => {
  describe.each([
    ['long-term credentials', CREDENTIALS],
    ['session credentials (as in Lambda)', SESSION],
  ] as const)('with %s', (_name, credentials) => {
    it.each(KEYS)('then its presigned GET of %s is the S3 client\'s, byte for byte', async (key) => {
      const expected = await getSignedUrl(sdk(target, credentials), new GetObjectCommand({ Bucket: target.bucket, Key: key }), {
        expiresIn: 3600,
        signingDate: AT,
      });
      expect(await signer(target, credentials).presignGet(key, 3600)).toBe(expected);
    });

    it.each([
      ['with the correlation id as metadata', { 'correlation-id': 'appsync-request-id' }],
      ['with two metadata entries, one upper case', { 'correlation-id': 'c0ffee', Origin: 'web app' }],
      ['without metadata', {}],
      ['only if absent (If-None-Match: *), with metadata', { 'correlation-id': 'c0ffee' }, true],
    ])('then its presigned PUT %s is the S3 client\'s, byte for byte', async (_case, metadata, onlyIfAbsent = false) => {
      const request = { key: KEYS[0] as string, contentType: 'image/jpeg', contentLength: 12_345, expiresInSeconds: 900, metadata, onlyIfAbsent };
      const viaClient = await sdkPresignPut(sdk(target, credentials), target.bucket, request);
      const url = await signer(target, credentials).presignPut(request);
      expect(url).toBe(viaClient);
      const signedHeaders = new URL(url).searchParams.get('X-Amz-SignedHeaders')?.split(';');
      expect(signedHeaders).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
      for (const name of Object.keys(metadata)) {
        expect(signedHeaders).toContain(`x-amz-meta-${name.toLowerCase()}`);
        // Not hoisted: the client must send it as a header.
        expect(new URL(url).searchParams.has(`x-amz-meta-${name.toLowerCase()}`)).toBe(false);
      }
      expect(url).not.toMatch(/checksum/i);
      expect(signedHeaders?.includes('if-none-match')).toBe(onlyIfAbsent);
      expect(new URL(url).searchParams.has('if-none-match')).toBe(false);
    });
  });
});

/**
 * The oracle: a presigned PUT as getSignedUrl makes it with an S3Client, with the same signed and
 * unhoisted headers the signer promises, at AT.
 */
function sdkPresignPut(client: S3Client, bucket: string, request: PresignPutRequest): Promise<string> {
  const metadata = request.metadata ?? {};
  const metadataHeaders = Object.keys(metadata).map((name) => `x-amz-meta-${name.toLowerCase()}`);
  const unhoisted = [...metadataHeaders, ...(request.onlyIfAbsent === true ? ['if-none-match'] : [])];
  return getSignedUrl(
    client,
    new PutObjectCommand({
      Bucket: bucket,
      Key: request.key,
      ContentType: request.contentType,
      ContentLength: request.contentLength,
      ...(metadataHeaders.length > 0 ? { Metadata: { ...metadata } } : {}),
      ...(request.onlyIfAbsent === true ? { IfNoneMatch: '*' } : {}),
    }),
    {
      expiresIn: request.expiresInSeconds,
      signableHeaders: new Set(['content-type', 'content-length', ...unhoisted]),
      unhoistableHeaders: new Set(unhoisted),
      signingDate: AT,
    },
  );
}

describe('S3UrlSigner addressing', () => {
  it('given an endpoint with a path, then the bucket and key follow it', async () => {
    const url = new URL(
      await new S3UrlSigner({ bucket: 'b-1', region: 'eu-west-1', endpoint: 'http://localhost:4566/s3/', credentials: CREDENTIALS }).presignGet('k/1', 60),
    );
    expect(`${url.origin}${url.pathname}`).toBe('http://localhost:4566/s3/b-1/k/1');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
  });

  it('keeps slashes and encodes each key segment as S3 does', () => {
    expect(encodeKeyPath("a b/c+d/é/!'()*/~._-")).toBe('a%20b/c%2Bd/%C3%A9/%21%27%28%29%2A/~._-');
  });

  it('reads the endpoint as S3Client does: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, none when told to ignore them', () => {
    expect(s3EndpointFromEnv({ AWS_ENDPOINT_URL_S3: 'http://s3:1', AWS_ENDPOINT_URL: 'http://all:2' })).toBe('http://s3:1');
    expect(s3EndpointFromEnv({ AWS_ENDPOINT_URL: 'http://all:2' })).toBe('http://all:2');
    expect(s3EndpointFromEnv({})).toBeUndefined();
    expect(s3EndpointFromEnv({ AWS_ENDPOINT_URL_S3: 'http://s3:1', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBeUndefined();
  });
});
