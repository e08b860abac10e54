import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { verifyPresignedRequest, type PresignedOutcome } from '../../../local/auth/presigned-url.js';
import type { SigningCredential } from '../../../local/auth/sigv4.js';

const credentials: SigningCredential = {
  accessKeyId: 'AKIDPRESIGNTEST',
  secretAccessKey: 'presign-test-secret',
};
const lookup = (id: string) => (id === credentials.accessKeyId ? credentials : undefined);
const HOST = '127.0.0.1:1234';

const aClient = (secretAccessKey = credentials.secretAccessKey) =>
  new S3Client({
    region: 'us-east-1',
    endpoint: `http://${HOST}`,
    forcePathStyle: true,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey },
  });

const aPresignedPut = (
  options: Partial<{ expiresIn: number; signingDate: Date; secretAccessKey: string; key: string }> = {},
) =>
  getSignedUrl(
    aClient(options.secretAccessKey),
    new PutObjectCommand({ Bucket: 'uploads', Key: options.key ?? 'users/alice/photo 1.jpg', ContentType: 'image/jpeg', ContentLength: 2048 }),
    {
      expiresIn: options.expiresIn ?? 300,
      signableHeaders: new Set(['content-type', 'content-length']),
      ...(options.signingDate !== undefined ? { signingDate: options.signingDate } : {}),
    },
  );

const uploadHeaders = { host: HOST, 'content-type': 'image/jpeg', 'content-length': '2048' };

const codeOf = (outcome: PresignedOutcome): string => (outcome.ok ? 'ok' : outcome.code);

describe('given a presigned PUT bound to a content type and length', () => {
  it('when the upload matches, then it is accepted', async () => {
    const url = await aPresignedPut();
    expect(await verifyPresignedRequest({ method: 'PUT', url, headers: uploadHeaders }, lookup)).toEqual({
      ok: true,
      accessKeyId: 'AKIDPRESIGNTEST',
    });
  });

  it('when the server sees only the request target, then it is accepted', async () => {
    const url = new URL(await aPresignedPut());
    const target = `${url.pathname}${url.search}`;
    expect(codeOf(await verifyPresignedRequest({ method: 'PUT', url: target, headers: uploadHeaders }, lookup))).toBe('ok');
  });

  it('when another content type is sent, then the signature does not match', async () => {
    const url = await aPresignedPut();
    const headers = { ...uploadHeaders, 'content-type': 'text/html' };
    expect(codeOf(await verifyPresignedRequest({ method: 'PUT', url, headers }, lookup))).toBe('SignatureDoesNotMatch');
  });

  it('when another length is sent, then the signature does not match', async () => {
    const url = await aPresignedPut();
    const headers = { ...uploadHeaders, 'content-length': '999999' };
    expect(codeOf(await verifyPresignedRequest({ method: 'PUT', url, headers }, lookup))).toBe('SignatureDoesNotMatch');
  });

  it('when a signed header is left out, then the signature does not match', async () => {
    const url = await aPresignedPut();
    const { 'content-type': _omitted, ...headers } = uploadHeaders;
    expect(codeOf(await verifyPresignedRequest({ method: 'PUT', url, headers }, lookup))).toBe('SignatureDoesNotMatch');
  });

  it('when the URL has expired, then access is denied', async () => {
    const url = await aPresignedPut({ expiresIn: 60, signingDate: new Date(Date.now() - 5 * 60_000) });
    const outcome = await verifyPresignedRequest({ method: 'PUT', url, headers: uploadHeaders }, lookup);
    expect(outcome).toMatchObject({ ok: false, status: 403, code: 'AccessDenied', message: 'Request has expired' });
  });

  it('when the object key is changed, then the signature does not match', async () => {
    const url = (await aPresignedPut()).replace('users/alice/', 'users/mallory/');
    expect(codeOf(await verifyPresignedRequest({ method: 'PUT', url, headers: uploadHeaders }, lookup))).toBe('SignatureDoesNotMatch');
  });

  it('when the URL is used with another method, then the signature does not match', async () => {
    const url = await aPresignedPut();
    expect(codeOf(await verifyPresignedRequest({ method: 'DELETE', url, headers: uploadHeaders }, lookup))).toBe(
      'SignatureDoesNotMatch',
    );
  });

  it('when X-Amz-Expires is raised, then the signature does not match', async () => {
    const url = (await aPresignedPut()).replace('X-Amz-Expires=300', 'X-Amz-Expires=3000');
    expect(codeOf(await verifyPresignedRequest({ method: 'PUT', url, headers: uploadHeaders }, lookup))).toBe('SignatureDoesNotMatch');
  });

  it('when it was signed with another secret, then the signature does not match', async () => {
    const url = await aPresignedPut({ secretAccessKey: 'wrong' });
    expect(codeOf(await verifyPresignedRequest({ method: 'PUT', url, headers: uploadHeaders }, lookup))).toBe('SignatureDoesNotMatch');
  });

  it('when the access key is unknown, then it is rejected', async () => {
    const url = await aPresignedPut();
    expect(codeOf(await verifyPresignedRequest({ method: 'PUT', url, headers: uploadHeaders }, () => undefined))).toBe(
      'InvalidAccessKeyId',
    );
  });

  it('when the authentication parameters are missing, then it is a query parameters error', async () => {
    const url = (await aPresignedPut()).replace(/X-Amz-Signature=[0-9a-f]+/, '');
    expect(await verifyPresignedRequest({ method: 'PUT', url, headers: uploadHeaders }, lookup)).toMatchObject({
      ok: false,
      status: 400,
      code: 'AuthorizationQueryParametersError',
    });
  });
});

describe('given a presigned GET', () => {
  it('when it is used as signed, then it is accepted', async () => {
    const url = await getSignedUrl(aClient(), new GetObjectCommand({ Bucket: 'uploads', Key: 'a/b(1)!.png' }), { expiresIn: 60 });
    expect(codeOf(await verifyPresignedRequest({ method: 'GET', url, headers: { host: HOST } }, lookup))).toBe('ok');
  });
});
