import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { generateClient } from 'aws-amplify/api';
import { print } from 'graphql';

/**
 * The documents of client/operations, typed by their generated `TypedDocumentNode`, sent through
 * the unmodified aws-amplify v6 client: the console's pages and the end-to-end tests call the
 * API the same way. Amplify must be configured (`Amplify.configure`) before the first call.
 */

/** The API's auth modes as Amplify names them. */
export type AuthMode = 'userPool' | 'apiKey' | 'iam';

/** A GraphQL error list turned into one sentence for a page or a failing test. */
export class ApiError extends Error {
  constructor(readonly errors: readonly { message: string; errorType?: string }[]) {
    super(errors.map((e) => e.message).join('; ') || 'The request failed');
    this.name = 'ApiError';
  }
}

/** The one method used, typed by hand: the full client type is too deep for the compiler to compare. */
export interface AmplifyGraphql {
  graphql(options: { query: string; variables: Record<string, unknown>; authMode: AuthMode }): unknown;
}

let client: AmplifyGraphql | undefined;
/** Made on first use, since `generateClient` reads the configuration Amplify has by then. */
export const amplifyGraphql = (): AmplifyGraphql => (client ??= generateClient() as unknown as AmplifyGraphql);

interface RawResult {
  data?: unknown;
  errors?: { message: string; errorType?: string }[];
}

// Amplify rejects with the whole result (not an Error) when AppSync answers with errors.
function toApiError(error: unknown): Error {
  const raw = error as RawResult | undefined;
  if (raw && Array.isArray(raw.errors) && raw.errors.length > 0) return new ApiError(raw.errors);
  return error instanceof Error ? error : new Error(String(error));
}

/** A query or mutation; resolves to its data, rejects with an `ApiError` when AppSync reports errors. */
export async function request<R, V>(document: TypedDocumentNode<R, V>, variables: V, authMode: AuthMode = 'userPool'): Promise<R> {
  try {
    const result = (await amplifyGraphql().graphql({ query: print(document), variables: variables as Record<string, unknown>, authMode })) as RawResult;
    if (result.errors && result.errors.length > 0) throw new ApiError(result.errors);
    return result.data as R;
  } catch (error) {
    throw toApiError(error);
  }
}

export interface Subscription {
  unsubscribe(): void;
}

/** A subscription over AppSync's real-time protocol, through Amplify. */
export function subscribe<R, V>(
  document: TypedDocumentNode<R, V>,
  variables: V,
  onData: (data: R) => void,
  onError: (error: Error) => void,
  authMode: AuthMode = 'userPool',
): Subscription {
  const observable = amplifyGraphql().graphql({ query: print(document), variables: variables as Record<string, unknown>, authMode }) as {
    subscribe(observer: { next: (value: { data: R }) => void; error: (error: unknown) => void }): Subscription;
  };
  return observable.subscribe({ next: ({ data }) => onData(data), error: (error) => onError(toApiError(error)) });
}
