/**
 * Verification of S3 presigned URLs (SigV4 query-string authentication, `UNSIGNED-PAYLOAD`), for
 * the local S3 (local/s3/auth.ts). Errors carry S3's codes and messages.
 */
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../resolvers/shared/node-sha256.js';
import {
  CONTENT_SHA_HEADER,
  DEFAULT_MAX_SKEW_SECONDS,
  PAYLOAD_HASH,
  SIGV4_ALGORITHM,
  constantTimeEqual,
  parseAmzDate,
  parseQuery,
  type SigningCredential,
} from './sigv4.js';

/** AWS's limit for presigned URLs: one week. */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

export interface PresignedRequest {
  readonly method: string;
  /** Full URL, or the request target (`/bucket/key?X-Amz-...`) resolved against the `host` header. */
  readonly url: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
}

export type PresignedCredentialLookup = (
  accessKeyId: string,
) => SigningCredential | undefined | Promise<SigningCredential | undefined>;

export type PresignedErrorCode =
  | 'AccessDenied'
  | 'AuthorizationQueryParametersError'
  | 'InvalidAccessKeyId'
  | 'InvalidToken'
  | 'SignatureDoesNotMatch';

export type PresignedOutcome =
  | { readonly ok: true; readonly accessKeyId: string }
  | { readonly ok: false; readonly status: 400 | 403; readonly code: PresignedErrorCode; readonly message: string };

export interface PresignedVerifyOptions {
  /** Current time in epoch milliseconds. @default Date.now() */
  readonly now?: number;
  /** @default 's3' */
  readonly service?: string;
}

const PARAMS = {
  algorithm: 'X-Amz-Algorithm',
  credential: 'X-Amz-Credential',
  date: 'X-Amz-Date',
  expires: 'X-Amz-Expires',
  signedHeaders: 'X-Amz-SignedHeaders',
  signature: 'X-Amz-Signature',
  token: 'X-Amz-Security-Token',
} as const;
/** Query parameters `SignatureV4.presign` sets itself. */
const GENERATED_PARAMS = new Set<string>(Object.values(PARAMS));

const reject = (status: 400 | 403, code: PresignedErrorCode, message: string): PresignedOutcome => ({
  ok: false,
  status,
  code,
  message,
});
const malformed = (message: string): PresignedOutcome => reject(400, 'AuthorizationQueryParametersError', message);
const mismatch = (): PresignedOutcome =>
  reject(
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? undefined : value;

/** True when the URL carries SigV4 query-string authentication. */
export const isPresignedUrl = (url: string): boolean => /[?&]X-Amz-Signature=/.test(url);

export const verifyPresignedRequest = async (
  request: PresignedRequest,
  lookup: PresignedCredentialLookup,
  options: PresignedVerifyOptions = {},
): Promise<PresignedOutcome> => {
  let url: URL;
  try {
    url = new URL(request.url, `http://${request.headers['host'] ?? 'localhost'}`);
  } catch {
    return malformed('Malformed URL');
  }
  const query = parseQuery(url.search.replace(/^\?/, ''));
  const algorithm = single(query[PARAMS.algorithm]);
  const credential = single(query[PARAMS.credential]);
  const amzDate = single(query[PARAMS.date]);
  const expires = single(query[PARAMS.expires]);
  const signedHeadersParam = single(query[PARAMS.signedHeaders]);
  const signature = single(query[PARAMS.signature]);
  const token = single(query[PARAMS.token]);
  if (
    algorithm === undefined ||
    credential === undefined ||
    amzDate === undefined ||
    expires === undefined ||
    signedHeadersParam === undefined ||
    signature === undefined
  ) {
    return malformed(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (algorithm !== SIGV4_ALGORITHM) return malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const [accessKeyId, scopeDate, region, service, terminator, ...rest] = credential.split('/');
  if (
    accessKeyId === undefined ||
    accessKeyId.length === 0 ||
    scopeDate === undefined ||
    region === undefined ||
    service === undefined ||
    terminator !== 'aws4_request' ||
    rest.length > 0
  ) {
    return malformed('Error parsing the X-Amz-Credential parameter');
  }
  if (service !== (options.service ?? 's3')) {
    return malformed(`Error parsing the X-Amz-Credential parameter; incorrect service "${service}"`);
  }
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || scopeDate !== amzDate.slice(0, 8)) {
    return malformed('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'" and match the credential scope');
  }
  if (!/^\d+$/.test(expires)) return malformed('X-Amz-Expires should be a number');
  const expiresIn = Number(expires);
  if (expiresIn < 1) return malformed('X-Amz-Expires must be non-negative');
  if (expiresIn > MAX_PRESIGNED_EXPIRES_SECONDS) {
    return malformed(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_EXPIRES_SECONDS}`);
  }
  const now = options.now ?? Date.now();
  if (now > signedAt + expiresIn * 1000) return reject(403, 'AccessDenied', 'Request has expired');
  if (signedAt > now + DEFAULT_MAX_SKEW_SECONDS * 1000) return reject(403, 'AccessDenied', 'Request is not valid yet');

  const known = await lookup(accessKeyId);
  if (known === undefined) {
    return reject(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  }
  if (known.sessionToken !== undefined && token !== known.sessionToken) {
    return reject(400, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
  }

  const signedHeaders = signedHeadersParam.split(';').filter((name) => name.length > 0);
  const signed = new Set(signedHeaders);
  if (!signed.has('host')) return malformed("X-Amz-SignedHeaders must include 'host'");
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = name === 'host' ? (request.headers['host'] ?? url.host) : request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  // S3 presigned requests hash their payload as UNSIGNED-PAYLOAD; the signer reads it from this header.
  headers[CONTENT_SHA_HEADER] ??= PAYLOAD_HASH.unsigned;
  const passQuery: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!GENERATED_PARAMS.has(key)) passQuery[key] = value;
  }
  const rebuilt = new HttpRequest({
    method: request.method.toUpperCase(),
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port !== '' ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: passQuery,
    headers,
  });
  const signer = new SignatureV4({
    service,
    region,
    credentials: {
      accessKeyId,
      secretAccessKey: known.secretAccessKey,
      ...(token !== undefined ? { sessionToken: token } : {}),
    },
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const presigned = await signer.presign(rebuilt, {
    signingDate: new Date(signedAt),
    expiresIn,
    signingRegion: region,
    signingService: service,
    signableHeaders: signed,
    unsignableHeaders: signed.has(CONTENT_SHA_HEADER) ? new Set() : new Set([CONTENT_SHA_HEADER]),
    unhoistableHeaders: new Set([...signed, CONTENT_SHA_HEADER]),
  });
  const resultQuery = presigned.query ?? {};
  const expectedSignature = resultQuery[PARAMS.signature];
  const expectedSignedHeaders = resultQuery[PARAMS.signedHeaders];
  if (
    typeof expectedSignature !== 'string' ||
    !constantTimeEqual(expectedSignature, signature) ||
    expectedSignedHeaders !== signedHeaders.join(';')
  ) {
    return mismatch();
  }
  return { ok: true, accessKeyId };
};
