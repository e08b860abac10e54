import { type Credentials, authHeaders as credentialHeaders, postRaw as postRawTo } from '../../support/raw-request.js';
import { target } from './target.js';

export type { Credentials };

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

/** The headers `credentials` add to a POST of `body` to `url`, signed for the stack's region. */
export const authHeaders = (url: string, credentials: Credentials, body: string): Promise<Record<string, string>> =>
  credentialHeaders(url, credentials, body, target().region);

/** POSTs raw bytes to the GraphQL endpoint (for bad input); the body is parsed when it is JSON. */
export async function postRaw(body: string, credentials: Credentials, headers: Record<string, string> = {}) {
  const { status, text, json } = await postRawTo(target().graphqlUrl, body, credentials, { region: target().region, headers });
  return { status, text, json: json as { data?: unknown; errors?: AppSyncErrorBody[] } | undefined };
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
