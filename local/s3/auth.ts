/**
 * Authentication of every S3 request: SigV4 in the Authorization header or in the query string
 * (presigned URLs), verified with the secret of a key the stack issued. Anything else is refused
 * with S3's own error codes ([ERR]); no request reaches the store unauthenticated.
 */
import { isPresignedUrl, verifyPresignedRequest } from '../auth/presigned-url.js';
import { SIGV4_ALGORITHM, type SigV4FailureKind, verifySigV4Request } from '../auth/sigv4.js';
import type { S3Principal, S3PrincipalLookup } from './access.js';
import { S3Error, accessDenied, invalidAccessKeyId, signatureDoesNotMatch } from './errors.js';

export interface AuthRequest {
  readonly method: string;
  /** The request target as received (`/bucket/key?query`). */
  readonly url: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
}

const headerFailure = (kind: SigV4FailureKind, reason: string): S3Error => {
  switch (kind) {
    case 'unknown-key':
      return invalidAccessKeyId();
    case 'mismatch':
      return signatureDoesNotMatch();
    case 'skew':
      return new S3Error('RequestTimeTooSkewed', 403, "The difference between the request time and the server's time is too large.");
    case 'token':
      return new S3Error('InvalidToken', 400, 'The provided token is malformed or otherwise invalid.');
    case 'malformed':
      return new S3Error('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${reason}`);
  }
};

/** The caller, or the S3Error the request gets. */
export async function authenticate(request: AuthRequest, lookup: S3PrincipalLookup, now = Date.now()): Promise<S3Principal> {
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  const presigned = isPresignedUrl(request.url) || /[?&]X-Amz-(Credential|Algorithm)=/i.test(query);
  const authorization = request.headers['authorization'];
  if (presigned && authorization !== undefined) {
    throw new S3Error('InvalidArgument', 400, 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
  }
  if (presigned) {
    const outcome = await verifyPresignedRequest(request, (id) => lookup(id), { now });
    if (!outcome.ok) throw new S3Error(outcome.code, outcome.status, outcome.message);
    const principal = lookup(outcome.accessKeyId);
    if (principal === undefined) throw invalidAccessKeyId();
    return principal;
  }
  if (authorization === undefined) throw accessDenied();
  if (!authorization.trimStart().startsWith(`${SIGV4_ALGORITHM} `)) {
    throw new S3Error('InvalidRequest', 400, 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
  }
  if (request.headers['x-amz-content-sha256'] === undefined) {
    throw new S3Error('InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256');
  }
  const outcome = await verifySigV4Request(
    { method: request.method, path: request.url, headers: request.headers, body: '' },
    lookup,
    { service: 's3', now, uriEscapePath: false, payloadHash: 'declared' },
  );
  if (!outcome.ok) throw headerFailure(outcome.kind, outcome.reason);
  return outcome.credential;
}
