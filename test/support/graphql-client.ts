import { signAppSyncRequest } from '../../client/sign-request.js';

/** How a test client proves who it is, one per AppSync mode it uses. */
export type Credentials =
  | { readonly kind: 'userPool'; readonly token: string }
  | { readonly kind: 'apiKey'; readonly apiKey: string }
  | {
      readonly kind: 'iam';
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly region: string;
    }
  | { readonly kind: 'none' };

export interface GraphQLResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly data: T | null;
  readonly errors?: readonly {
    errorType?: string;
    message: string;
    path?: (string | number)[] | null;
    data?: unknown;
    errorInfo?: unknown;
    locations?: unknown[];
  }[];
}

/** The headers a request needs for `credentials`: what AppSync reads, and what is signed for IAM. */
export async function authHeaders(
  url: string,
  credentials: Credentials,
  body: string,
): Promise<Record<string, string>> {
  switch (credentials.kind) {
    case 'none':
      return {};
    case 'userPool':
      return { authorization: credentials.token };
    case 'apiKey':
      return { 'x-api-key': credentials.apiKey };
    case 'iam':
      return signAppSyncRequest(url, body, credentials);
  }
}

export async function graphql<T = Record<string, unknown>>(
  url: string,
  credentials: Credentials,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  const body = JSON.stringify({ query, variables });
  const headers = { 'content-type': 'application/json; charset=UTF-8', ...(await authHeaders(url, credentials, body)) };
  const response = await fetch(url, { method: 'POST', headers, body });
  const json = (await response.json()) as { data?: T | null; errors?: GraphQLResponse<T>['errors'] };
  return { status: response.status, data: json.data ?? null, ...(json.errors ? { errors: json.errors } : {}) };
}
