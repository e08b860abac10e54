/**
 * One S3 request as the operations see it: the bucket and key from the path (path-style
 * addressing: the endpoint is an IP, so the SDK uses it), the query, the caller, and the helpers
 * that answer it with S3's headers.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { S3Principal } from './access.js';
import { S3Error, accessDenied, invalidArgument } from './errors.js';
import type { EventBus } from './events.js';
import type { ObjectStoreBuckets } from './store.js';

export interface S3Context {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly method: string;
  readonly bucketName: string;
  /** '' for bucket operations. */
  readonly key: string;
  readonly query: ReadonlyMap<string, string>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly principal: S3Principal;
  readonly requestId: string;
  readonly hostId: string;
  readonly buckets: ObjectStoreBuckets;
  readonly events: EventBus;
  readonly sourceIp: string;
  readonly log: (line: string) => void;
}

export const newRequestIds = () => ({
  requestId: randomBytes(8).toString('hex').toUpperCase(),
  hostId: randomBytes(32).toString('base64'),
});

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidArgument('The request path is not valid percent-encoded UTF-8');
  }
};

/** `/bucket/key/with/slashes?x=1` -> bucket, key and query (query values decoded; no `+` for space). */
export function parseTarget(url: string): { bucket: string; key: string; query: Map<string, string> } {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const query = new Map<string, string>();
  if (at >= 0) {
    for (const pair of url.slice(at + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      query.set(decode(eq < 0 ? pair : pair.slice(0, eq)), eq < 0 ? '' : decode(pair.slice(eq + 1)));
    }
  }
  const withoutSlash = path.replace(/^\//, '');
  const slash = withoutSlash.indexOf('/');
  const bucket = decode(slash < 0 ? withoutSlash : withoutSlash.slice(0, slash));
  const key = slash < 0 ? '' : decode(withoutSlash.slice(slash + 1));
  return { bucket, key, query };
}

/**
 * Keys with `.` or `..` segments are refused: S3 stores them literally, but tools that map keys
 * to files resolve them, so locally they are a way out of a prefix a policy allows (a deliberate
 * difference, docs/local-stack.md). The store never builds a path from a key either way.
 */
export function checkKey(key: string): void {
  if (Buffer.byteLength(key) > 1024) throw new S3Error('KeyTooLongError', 400, 'Your key is too long');
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw invalidArgument('Object keys with "." or ".." path segments are not accepted by the local S3', 'key', key);
  }
}

/** Refuses the request unless the caller's policy allows `action` on `resource`. */
export function authorize(context: S3Context, action: string, resource: string): void {
  if (context.principal.allows(action, resource)) return;
  // What AWS writes to CloudTrail, where a developer can see why a call failed.
  context.log(`S3 AccessDenied: ${context.principal.principalId} is not allowed ${action} on ${resource}`);
  throw accessDenied();
}

export const httpDate = (iso: string) => new Date(iso).toUTCString();

export function baseHeaders(context: Pick<S3Context, 'requestId' | 'hostId'>): Record<string, string> {
  return { 'x-amz-request-id': context.requestId, 'x-amz-id-2': context.hostId, server: 'AmazonS3' };
}

export function sendXml(context: Pick<S3Context, 'response' | 'requestId' | 'hostId'>, status: number, xml: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(xml);
  context.response.writeHead(status, {
    ...baseHeaders(context),
    'content-type': 'application/xml',
    'content-length': String(body.length),
    ...headers,
  });
  context.response.end(body);
}

export function sendEmpty(context: Pick<S3Context, 'response' | 'requestId' | 'hostId'>, status: number, headers: Record<string, string> = {}): void {
  context.response.writeHead(status, { ...baseHeaders(context), 'content-length': '0', ...headers });
  context.response.end();
}
