/**
 * What the files API needs to presign S3 URLs without the S3 client (s3-url-signer.ts): where a
 * bucket's objects are and how a key is written in a URL path.
 *
 * Addressing, as the S3 client does it for this project's buckets: with a custom endpoint
 * (`AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`: the local stack's `http://127.0.0.1:<port>`)
 * path-style, `<endpoint>/<bucket>/<key>` (the client goes path-style by itself on an IP
 * endpoint; on a host name it would need forcePathStyle); on AWS virtual-hosted,
 * `https://<bucket>.s3.<region>.amazonaws.com/<key>`, path-style for a bucket name that is not
 * one DNS label. Not supported, as the project uses none: FIPS, dual-stack and accelerate
 * endpoints, access points, S3 Express directory buckets.
 */

/** The S3 endpoint the environment configures, as S3Client reads it; undefined on AWS. */
export function s3EndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'] === 'true') return undefined;
  const endpoint = env['AWS_ENDPOINT_URL_S3'] ?? env['AWS_ENDPOINT_URL'];
  return endpoint === undefined || endpoint === '' ? undefined : endpoint;
}

const hexEscape = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** A URI component as the SDK writes one: RFC 3986 unreserved characters kept, `!'()*` escaped too. */
export const escapeUriComponent = (value: string): string => encodeURIComponent(value).replace(/[!'()*]/g, hexEscape);

/** A key in a URL path as the S3 client serializes it: each segment escaped, slashes kept. */
export function encodeKeyPath(key: string): string {
  return key
    .split('/')
    .map((segment) => (/^[\w.~-]*$/.test(segment) ? segment : escapeUriComponent(segment)))
    .join('/');
}

/** A bucket name usable as a DNS label under `s3.<region>.amazonaws.com` (over TLS: no dots). */
const isVirtualHostable = (bucket: string): boolean =>
  /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) && !bucket.includes('--') && !bucket.startsWith('xn--');

/** Where one bucket's objects are: the host to call and each key's path. */
export class S3BucketAddress {
  /** `https:` or `http:`. */
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | undefined;
  /** The Host header: the hostname, with the port when there is one. */
  readonly host: string;
  /** The path before the key: `/<bucket>/` path-style, `/` virtual-hosted. */
  readonly #pathPrefix: string;

  constructor(options: { readonly bucket: string; readonly region: string; readonly endpoint?: string | undefined }) {
    const bucketPath = `/${encodeKeyPath(options.bucket)}/`;
    if (options.endpoint !== undefined) {
      const url = new URL(options.endpoint);
      this.protocol = url.protocol;
      this.hostname = url.hostname;
      this.port = url.port === '' ? undefined : Number(url.port);
      this.#pathPrefix = `${url.pathname.replace(/\/+$/, '')}${bucketPath}`;
    } else {
      const suffix = options.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
      const hostable = isVirtualHostable(options.bucket);
      this.protocol = 'https:';
      this.hostname = hostable ? `${options.bucket}.s3.${options.region}.${suffix}` : `s3.${options.region}.${suffix}`;
      this.port = undefined;
      this.#pathPrefix = hostable ? '/' : bucketPath;
    }
    this.host = this.port === undefined ? this.hostname : `${this.hostname}:${this.port}`;
  }

  /** The object's path, its key escaped. */
  pathOf(key: string): string {
    return `${this.#pathPrefix}${encodeKeyPath(key)}`;
  }
}
