import { createRequire } from 'node:module';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import type { AuthOptions, createAuthLink as CreateAuthLink } from 'aws-appsync-auth-link';
import { createSubscriptionHandshakeLink } from 'aws-appsync-subscription-link';

/**
 * Apollo Client against an AppSync endpoint, for Node. Apollo takes the generated documents
 * (`TypedDocumentNode`) as they are and types `query`, `mutate` and `subscribe` by them, so this
 * module only wires the links.
 */

// aws-appsync-auth-link 4.0.2's ESM build reads `Sha256` off a CommonJS module Node cannot
// name-import (SigV4 then fails with "Sha256 is not a constructor"); its CommonJS build works.
const { createAuthLink } = createRequire(import.meta.url)('aws-appsync-auth-link') as { createAuthLink: typeof CreateAuthLink };

export interface AppSyncEndpoint {
  /** The GraphQL URL (`…/graphql`); the real-time URL is derived from it, as AppSync does. */
  readonly url: string;
  readonly region: string;
  readonly auth: AuthOptions;
}

/**
 * Apollo Client the way the AppSync docs wire it: the auth link, then the subscription handshake
 * link over HTTP. Apollo Client 4 adds `extensions.clientLibrary` to every request body after
 * the auth link has signed it, which breaks SigV4 (AppSync answers 401); `transport: false`
 * keeps the body the auth link signed.
 */
export function appSyncApolloClient({ url, region, auth }: AppSyncEndpoint): ApolloClient {
  // The AppSync links' type declarations import @apollo/client's CommonJS build; at run time
  // they are the same ApolloLink classes, hence the casts.
  const http = new HttpLink({ uri: url, enhancedClientAwareness: { transport: false } }) as unknown as Parameters<
    typeof createSubscriptionHandshakeLink
  >[1];
  const links = [createAuthLink({ url, region, auth }), createSubscriptionHandshakeLink({ url, region, auth }, http)] as unknown as ApolloLink[];
  return new ApolloClient({ link: ApolloLink.from(links), cache: new InMemoryCache() });
}
