/**
 * Raw AppSync requests: the credentials a request carries, the headers they add, and a POST of
 * exact bytes. Shared by the conformance suite and the simulator's conformance probes, so that
 * both send the same thing. It imports no GraphQL library, since the probes run beside a
 * simulator pinned to another graphql major.
 */
import { signAppSyncRequest } from '../../client/sign-request.js';

/**
 * How a request proves who it is, one per AppSync mode: an API key, a token in `Authorization`
 * (user pools, OIDC and the Lambda authorizer all read that header), a SigV4 signature, or
 * nothing.
 */
export type Credentials =
  | { readonly kind: 'apiKey'; readonly apiKey: string }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'iam'; readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
  | { readonly kind: 'none' };

/** The headers `credentials` add to a POST of `body` to `url` (SigV4 signs host, path and body in `region`). */
export async function authHeaders(url: string, credentials: Credentials, body: string, region: string): Promise<Record<string, string>> {
  switch (credentials.kind) {
    case 'none':
      return {};
    case 'apiKey':
      return { 'x-api-key': credentials.apiKey };
    case 'token':
      return { authorization: credentials.token };
    case 'iam':
      return signAppSyncRequest(url, body, { ...credentials, region });
  }
}

export interface RawAnswer {
  readonly status: number;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface RawPostOptions {
  /** The region SigV4 signs for. */
  readonly region: string;
  /** Headers besides `content-type` and the credentials'. */
  readonly headers?: Record<string, string> | undefined;
  /** What to sign instead of `body` (to send a body its signature does not cover). */
  readonly signedBody?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** POSTs `body` as given to the GraphQL endpoint `url`, with the headers `credentials` add. */
export async function postRaw(url: string, body: string, credentials: Credentials, options: RawPostOptions): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=UTF-8',
      ...options.headers,
      ...(await authHeaders(url, credentials, options.signedBody ?? body, options.region)),
    },
    body,
    signal: options.signal ?? null,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}
