import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
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

/**
 * The text a request carries: a generated document of client/operations as printed, or a string
 * as given (for the tests that send what no client would: a narrower selection, a hostile
 * document, another app's schema).
 */
export const documentText = (document: TypedDocumentNode<unknown, never> | string): string =>
  typeof document === 'string' ? document : print(document);

/** POSTs a document with `credentials`; a generated document types both the variables and the data. */
export function graphql<R, V>(url: string, credentials: Credentials, document: TypedDocumentNode<R, V>, variables: V): Promise<GraphQLResponse<R>>;
export function graphql<T = Record<string, unknown>>(
  url: string,
  credentials: Credentials,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse<T>>;
export async function graphql<T>(
  url: string,
  credentials: Credentials,
  document: TypedDocumentNode<T, never> | string,
  variables: unknown = {},
): Promise<GraphQLResponse<T>> {
  const body = JSON.stringify({ query: documentText(document), variables });
  const headers = { 'content-type': 'application/json; charset=UTF-8', ...(await authHeaders(url, credentials, body)) };
  const response = await fetch(url, { method: 'POST', headers, body });
  const json = (await response.json()) as { data?: T | null; errors?: GraphQLResponse<T>['errors'] };
  return { status: response.status, data: json.data ?? null, ...(json.errors ? { errors: json.errors } : {}) };
}
