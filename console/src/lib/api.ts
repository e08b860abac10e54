import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { generateClient } from 'aws-amplify/api';
import { print } from 'graphql';

/** The API's auth modes as Amplify names them. */
export type AuthMode = 'userPool' | 'apiKey' | 'iam';

/** A GraphQL error list turned into one sentence for the page. */
export class ApiError extends Error {
  constructor(readonly errors: readonly { message: string; errorType?: string }[]) {
    super(errors.map((e) => e.message).join('; ') || 'The request failed');
    this.name = 'ApiError';
  }
}

/** The one method used, typed by hand: the full client type is too deep for the compiler to compare. */
interface GraphqlClient {
  graphql(options: { query: string; variables: Record<string, unknown>; authMode: AuthMode }): unknown;
}
let client: GraphqlClient | undefined;
const amplify = (): GraphqlClient => (client ??= generateClient() as unknown as GraphqlClient);

interface RawResult {
  data?: unknown;
  errors?: { message: string; errorType?: string }[];
}

function toApiError(error: unknown): Error {
  const raw = error as RawResult | undefined;
  if (raw && Array.isArray(raw.errors) && raw.errors.length > 0) return new ApiError(raw.errors);
  return error instanceof Error ? error : new Error(String(error));
}

/** A query or mutation of client/operations, typed by its generated document. */
export async function request<R, V>(document: TypedDocumentNode<R, V>, variables: V, authMode: AuthMode = 'userPool'): Promise<R> {
  try {
    const result = (await amplify().graphql({ query: print(document), variables: variables as Record<string, unknown>, authMode })) as RawResult;
    if (result.errors && result.errors.length > 0) throw new ApiError(result.errors);
    return result.data as R;
  } catch (error) {
    throw toApiError(error);
  }
}

export interface Subscription {
  unsubscribe(): void;
}

/** A subscription of client/operations over AppSync's real-time protocol, through Amplify. */
export function subscribe<R, V>(
  document: TypedDocumentNode<R, V>,
  variables: V,
  onData: (data: R) => void,
  onError: (error: Error) => void,
): Subscription {
  const observable = amplify().graphql({ query: print(document), variables: variables as Record<string, unknown>, authMode: 'userPool' }) as unknown as {
    subscribe(observer: { next: (value: { data: R }) => void; error: (error: unknown) => void }): Subscription;
  };
  return observable.subscribe({ next: ({ data }) => onData(data), error: (error) => onError(toApiError(error)) });
}

/** Explorer: any document, any mode. Returns what AppSync answered, errors included. */
export function rawGraphql(query: string, variables: Record<string, unknown>, authMode: AuthMode): Promise<RawResult> | { subscribe: (observer: { next: (value: unknown) => void; error: (error: unknown) => void; complete: () => void }) => Subscription } {
  return amplify().graphql({ query, variables, authMode }) as never;
}
