/**
 * Presigned URLs of one S3 bucket without the S3 client. A presigned URL is a local computation
 * (SigV4 over the request S3 will receive); the S3 client only builds that request, and with it
 * comes ~100 KiB of schemas, endpoint rules and checksum code that V8 compiles at every cold
 * start. Here the request is built directly (addressing: s3-addressing.ts) and signed by the
 * SDK's own S3 presigner, with the credentials chain the DynamoDB client already carries, so the
 * URLs are those `getSignedUrl` makes with an S3Client (test/unit/resolvers/s3-url-signer.test.ts
 * compares them byte for byte).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { S3RequestPresigner, type S3RequestPresignerOptions } from '@aws-sdk/s3-request-presigner';
import { HttpRequest } from '@smithy/protocol-http';
import { type Clock, type ObjectUrlSigner, type PresignPutRequest, systemClock } from '../domain/ports.js';
import { NodeSha256 } from '../../shared/node-sha256.js';
import { S3BucketAddress, escapeUriComponent } from './s3-addressing.js';

export { encodeKeyPath, s3EndpointFromEnv } from './s3-addressing.js';

export type SignerCredentials = S3RequestPresignerOptions['credentials'];

export interface S3UrlSignerOptions {
  readonly bucket: string;
  /** The bucket's region (AWS_REGION). */
  readonly region: string;
  /** A custom endpoint (`http://127.0.0.1:4569`): URLs are path-style under it. None on AWS. */
  readonly endpoint?: string | undefined;
  /** @default the SDK's default chain (environment, then container or instance roles, ...) */
  readonly credentials?: SignerCredentials;
  /** The signing time. @default the system clock */
  readonly clock?: Clock;
}

export class S3UrlSigner implements ObjectUrlSigner {
  readonly #presigner: S3RequestPresigner;
  readonly #clock: Clock;
  readonly #address: S3BucketAddress;

  constructor(options: S3UrlSignerOptions) {
    this.#presigner = new S3RequestPresigner({
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: NodeSha256,
    });
    this.#clock = options.clock ?? systemClock;
    this.#address = new S3BucketAddress(options);
  }

  /**
   * Content-Type, Content-Length, the metadata and `If-None-Match` (onlyIfAbsent) are signed
   * headers: a PUT with another type, length or metadata, or without the condition, fails the
   * signature check. The metadata and condition stay headers (not hoisted into the query string),
   * so the client sends them as `uploadHeaders` lists them.
   */
  presignPut(request: PresignPutRequest): Promise<string> {
    const metadata = Object.entries(request.metadata ?? {}).map(([name, value]) => [`x-amz-meta-${name.toLowerCase()}`, value] as const);
    // Headers, not query parameters: S3 reads the condition only from the header.
    const unhoisted = [...metadata.map(([header]) => header), ...(request.onlyIfAbsent === true ? ['if-none-match'] : [])];
    return this.#sign(
      'PUT',
      'PutObject',
      request.key,
      {
        'content-type': request.contentType,
        'content-length': String(request.contentLength),
        ...Object.fromEntries(metadata),
        ...(request.onlyIfAbsent === true ? { 'if-none-match': '*' } : {}),
      },
      {
        expiresIn: request.expiresInSeconds,
        signableHeaders: new Set(['content-type', 'content-length', ...unhoisted]),
        unhoistableHeaders: new Set(unhoisted),
      },
    );
  }

  presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return this.#sign('GET', 'GetObject', key, {}, { expiresIn: expiresInSeconds });
  }

  async #sign(
    method: string,
    operation: string,
    key: string,
    headers: Record<string, string>,
    options: { expiresIn: number; signableHeaders?: Set<string>; unhoistableHeaders?: Set<string> },
  ): Promise<string> {
    const address = this.#address;
    const signed = await this.#presigner.presign(
      new HttpRequest({
        method,
        protocol: address.protocol,
        hostname: address.hostname,
        ...(address.port === undefined ? {} : { port: address.port }),
        path: address.pathOf(key),
        // The S3 client names the operation in the query of every request (signed with it).
        query: { 'x-id': operation },
        headers: { ...headers, host: address.host },
      }),
      { ...options, signingDate: this.#clock.now() },
    );
    return `${address.protocol}//${address.host}${signed.path}${queryString(signed.query ?? {})}`;
  }
}

/** `?a=1&b=2`, sorted by name and escaped as the SDK's formatUrl writes it; empty without parameters. */
function queryString(query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const name of Object.keys(query).sort()) {
    const value = query[name];
    const key = escapeUriComponent(name);
    if (Array.isArray(value)) for (const item of value) parts.push(`${key}=${escapeUriComponent(item)}`);
    else parts.push(value === null || value === undefined ? key : `${key}=${escapeUriComponent(value)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
