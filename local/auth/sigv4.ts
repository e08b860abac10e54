/**
 * Verification of AWS Signature Version 4 (`Authorization: AWS4-HMAC-SHA256 ...`) requests: the
 * request is rebuilt from what arrived and signed again with `@smithy/signature-v4`, using the
 * request's own `x-amz-date` and only the headers it names in `SignedHeaders`; the two signatures
 * are compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../resolvers/shared/node-sha256.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS rejects a SigV4 request whose date is more than 15 minutes from the server's clock. */
export const DEFAULT_MAX_SKEW_SECONDS = 15 * 60;

/** The header that carries the payload's hash (S3), or one of PAYLOAD_HASH's markers instead of it. */
export const CONTENT_SHA_HEADER = 'x-amz-content-sha256';
/** What `x-amz-content-sha256` may say besides a SHA-256: S3's SigV4 documentation lists these. */
export const PAYLOAD_HASH = {
  unsigned: 'UNSIGNED-PAYLOAD',
  unsignedTrailer: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  signedChunks: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  signedChunksTrailer: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
} as const;

export interface SigningCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /**
   * When set, a request must carry exactly this `x-amz-security-token`. When unset, any token (or
   * none) is accepted for the key: locally there is no STS to ask whether a session token is live,
   * so the signature with the known secret is what authenticates.
   */
  readonly sessionToken?: string;
}

export type CredentialLookup<C extends SigningCredential> = (accessKeyId: string) => C | undefined;

export interface SignedRequest {
  readonly method: string;
  /** Path as received, with the query string if any. */
  readonly path: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SigV4VerifyOptions {
  /** Expected signing service (`appsync`). */
  readonly service: string;
  /** Expected signing region; any region in the credential scope is accepted when omitted. */
  readonly region?: string;
  /** Current time in epoch milliseconds. @default Date.now() */
  readonly now?: number;
  /** @default DEFAULT_MAX_SKEW_SECONDS */
  readonly maxSkewSeconds?: number;
  /**
   * S3's canonical URI is the path as sent, not normalized or encoded again (the S3 signer's
   * `uriEscapePath: false`). @default true
   */
  readonly uriEscapePath?: boolean;
  /**
   * `declared`: the canonical request takes `x-amz-content-sha256` as the payload hash, and the
   * caller checks the body against it as it streams in (S3). @default 'body'
   */
  readonly payloadHash?: 'body' | 'declared';
}

/** Why a request failed, for services whose error codes tell these apart (S3). */
export type SigV4FailureKind = 'malformed' | 'skew' | 'unknown-key' | 'token' | 'mismatch';

export type SigV4Outcome<C extends SigningCredential> =
  | { readonly ok: true; readonly credential: C }
  | { readonly ok: false; readonly reason: string; readonly kind: SigV4FailureKind };

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/appsync/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export const parseAuthorizationHeader = (value: string): ParsedAuthorization | undefined => {
  const trimmed = value.trim();
  if (!trimmed.startsWith(`${SIGV4_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(SIGV4_ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) return undefined;
  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  if (
    accessKeyId === undefined ||
    date === undefined ||
    region === undefined ||
    service === undefined ||
    terminator === undefined ||
    rest.length > 0 ||
    accessKeyId.length === 0
  ) {
    return undefined;
  }
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: signedHeaders.split(';').filter((name) => name.length > 0),
    signature,
  };
};

/** `20240101T120000Z` -> epoch milliseconds, or undefined when malformed. */
export const parseAmzDate = (value: string): number | undefined => {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(ms) ? undefined : ms;
};

export const constantTimeEqual = (a: string, b: string): boolean => {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
};

const decodeComponent = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** Parses a raw query string without treating `+` as a space (SigV4 canonical form). */
export const parseQuery = (raw: string): Record<string, string | string[]> => {
  const query: Record<string, string | string[]> = {};
  for (const pair of raw.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
};

const fail = (reason: string, kind: SigV4FailureKind = 'malformed'): { ok: false; reason: string; kind: SigV4FailureKind } => ({
  ok: false,
  reason,
  kind,
});

/** Verifies a header-signed SigV4 request against the known credentials. */
export const verifySigV4Request = async <C extends SigningCredential>(
  request: SignedRequest,
  lookup: CredentialLookup<C>,
  options: SigV4VerifyOptions,
): Promise<SigV4Outcome<C>> => {
  const authorization = request.headers['authorization'];
  if (authorization === undefined) return fail('No Authorization header');
  const parsed = parseAuthorizationHeader(authorization);
  if (parsed === undefined) return fail('Malformed SigV4 Authorization header');
  if (parsed.service !== options.service || parsed.terminator !== 'aws4_request') {
    return fail(`Credential should be scoped to correct service: '${options.service}'`);
  }
  if (options.region !== undefined && parsed.region !== options.region) {
    return fail(`Credential should be scoped to a valid region: '${options.region}'`);
  }

  const amzDate = request.headers['x-amz-date'];
  if (amzDate === undefined) return fail('Missing x-amz-date header');
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) return fail('Malformed x-amz-date header');
  if (parsed.date !== amzDate.slice(0, 8)) return fail('Credential scope date does not match x-amz-date');
  const now = options.now ?? Date.now();
  const maxSkewMs = (options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS) * 1000;
  if (signedAt < now - maxSkewMs) return fail('Signature expired', 'skew');
  if (signedAt > now + maxSkewMs) return fail('Signature not yet current', 'skew');

  const signed = new Set(parsed.signedHeaders);
  if (!signed.has('host')) return fail("'Host' must be a signed header");
  if (!signed.has('x-amz-date')) return fail("'X-Amz-Date' must be a signed header");
  for (const name of signed) {
    if (request.headers[name] === undefined) return fail(`Signed header '${name}' is missing from the request`);
  }
  const token = request.headers['x-amz-security-token'];
  if (token !== undefined && !signed.has('x-amz-security-token')) {
    return fail("'X-Amz-Security-Token' must be a signed header");
  }
  const contentSha = request.headers[CONTENT_SHA_HEADER];
  if (contentSha !== undefined && signed.has(CONTENT_SHA_HEADER) && options.payloadHash !== 'declared') {
    const actual = createHash('sha256').update(request.body, 'utf8').digest('hex');
    if (contentSha !== actual) return fail('x-amz-content-sha256 does not match the body');
  }

  const credential = lookup(parsed.accessKeyId);
  if (credential === undefined) return fail('The security token included in the request is invalid (unknown access key id)', 'unknown-key');
  if (credential.sessionToken !== undefined && token !== credential.sessionToken) {
    return fail('The security token included in the request is invalid', 'token');
  }

  const queryAt = request.path.indexOf('?');
  const rawPath = queryAt < 0 ? request.path : request.path.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : request.path.slice(queryAt + 1);
  const headers: Record<string, string> = {};
  for (const name of signed) {
    // The signer adds these two itself, from signingDate and the session token.
    if (name === 'x-amz-date' || name === 'x-amz-security-token') continue;
    headers[name] = request.headers[name] ?? '';
  }
  const host = headers['host'] ?? '';
  const rebuilt = new HttpRequest({
    method: request.method.toUpperCase(),
    hostname: host.replace(/:\d+$/, ''),
    path: options.uriEscapePath === false ? rawPath : rawPath.split('/').map(decodeComponent).join('/'),
    query: parseQuery(rawQuery),
    headers,
    body: request.body,
  });
  const signer = new SignatureV4({
    service: parsed.service,
    region: parsed.region,
    credentials: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(token !== undefined ? { sessionToken: token } : {}),
    },
    sha256: NodeSha256,
    applyChecksum: false,
    uriEscapePath: options.uriEscapePath ?? true,
  });
  const resigned = await signer.sign(rebuilt, { signingDate: new Date(signedAt), signableHeaders: signed });
  const expected = parseAuthorizationHeader(String(resigned.headers['authorization'] ?? ''));
  if (expected === undefined) return fail('Could not recompute the signature');
  const signatureMatches = constantTimeEqual(expected.signature, parsed.signature);
  if (!signatureMatches || expected.signedHeaders.join(';') !== parsed.signedHeaders.join(';')) {
    return fail(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      'mismatch',
    );
  }
  return { ok: true, credential };
};
