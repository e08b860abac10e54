import { signAppSyncRequest } from '../../../client/sign-request.js';
import { target } from './target.js';

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

export const apiKey = (key = target().apiKey): Credentials => ({ kind: 'apiKey', apiKey: key });
export const bearer = (token: string): Credentials => ({ kind: 'token', token });
export const iam = (): Credentials => ({ kind: 'iam', ...target().iam });
export const noCredentials: Credentials = { kind: 'none' };

export interface AppSyncErrorBody {
  readonly errorType?: string;
  readonly message: string;
  readonly path?: (string | number)[] | null;
  readonly data?: unknown;
  readonly errorInfo?: unknown;
  readonly locations?: { line: number; column: number; sourceName: string | null }[];
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: { data?: T | null; errors?: AppSyncErrorBody[] };
  readonly data: T | null;
  readonly errors: AppSyncErrorBody[] | undefined;
}

/** The headers `credentials` add to a POST of `body` to `url` (SigV4 signs host, path and body). */
export async function authHeaders(url: string, credentials: Credentials, body: string): Promise<Record<string, string>> {
  switch (credentials.kind) {
    case 'none':
      return {};
    case 'apiKey':
      return { 'x-api-key': credentials.apiKey };
    case 'token':
      return { authorization: credentials.token };
    case 'iam':
      return signAppSyncRequest(url, body, { ...credentials, region: target().region });
  }
}

/** POSTs raw bytes to the GraphQL endpoint (for bad input); the body is parsed when it is JSON. */
export async function postRaw(body: string, credentials: Credentials, headers: Record<string, string> = {}) {
  const url = target().graphqlUrl;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=UTF-8', ...headers, ...(await authHeaders(url, credentials, body)) },
    body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json: json as { data?: unknown; errors?: AppSyncErrorBody[] } | undefined };
}

export async function graphql<T = Record<string, unknown>>(
  credentials: Credentials,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const { status, json } = await postRaw(JSON.stringify({ query, variables }), credentials, headers);
  const body = (json ?? {}) as GraphQLResponse<T>['body'];
  return { status, body, data: body.data ?? null, errors: body.errors };
}
