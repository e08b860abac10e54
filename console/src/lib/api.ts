import { type AuthMode, type Subscription, amplifyGraphql } from '../../../client/amplify.ts';

// The pages send the documents of client/operations through the project's typed Amplify client.
export { type AuthMode, request, subscribe } from '../../../client/amplify.ts';

interface RawResult {
  data?: unknown;
  errors?: { message: string; errorType?: string }[];
}

interface RawObservable {
  subscribe(observer: { next: (value: unknown) => void; error: (error: unknown) => void; complete: () => void }): Subscription;
}

/** Explorer: any document, any mode. Returns what AppSync answered, errors included. */
export function rawGraphql(query: string, variables: Record<string, unknown>, authMode: AuthMode): Promise<RawResult> | RawObservable {
  return amplifyGraphql().graphql({ query, variables, authMode }) as never;
}
