import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { Amplify } from 'aws-amplify';
import { decodeJWT } from 'aws-amplify/auth';
import type { AuthOptions, createAuthLink as CreateAuthLink } from 'aws-appsync-auth-link';
import { createSubscriptionHandshakeLink } from 'aws-appsync-subscription-link';
import WebSocket, { type ClientOptions } from 'ws';
import { target } from './target.js';

/**
 * The two off-the-shelf AppSync clients, unmodified, pointed at the target: aws-amplify v6
 * (configured from amplify_outputs.json) and Apollo Client with aws-appsync-auth-link and
 * aws-appsync-subscription-link. Both open WebSockets through the global `WebSocket`, whose
 * Node version trusts only the system's authorities: `installWebSocket` provides `ws`, trusting
 * the local stack's certificate.
 */

export function installWebSocket(): () => void {
  const caPath = target().caPath;
  const ca = caPath ? readFileSync(caPath) : undefined;
  class TargetWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[], options?: ClientOptions) {
      super(address, protocols, { ...options, ...(ca ? { ca } : {}) });
    }
  }
  const global = globalThis as { WebSocket?: unknown };
  const previous = global.WebSocket;
  global.WebSocket = TargetWebSocket;
  return () => {
    global.WebSocket = previous;
  };
}

/** The signed-in user as amplify's token provider reports it. */
export interface AmplifySession {
  token: string | undefined;
}

/** Amplify.configure with the target's amplify_outputs.json and a token provider for `session`. */
export function configureAmplify(session: AmplifySession): void {
  Amplify.configure(JSON.parse(target().outputs) as Parameters<typeof Amplify.configure>[0], {
    Auth: {
      tokenProvider: {
        getTokens: async () =>
          session.token === undefined ? null : { accessToken: decodeJWT(session.token), idToken: decodeJWT(session.token) },
      },
    },
  });
}

// aws-appsync-auth-link 4.0.2's ESM build reads `Sha256` off a CommonJS module Node cannot
// name-import (SigV4 then fails with "Sha256 is not a constructor"); its CommonJS build works.
const { createAuthLink } = createRequire(import.meta.url)('aws-appsync-auth-link') as { createAuthLink: typeof CreateAuthLink };

/**
 * Apollo Client the way the AppSync docs wire it: the auth link, then the subscription handshake
 * link over HTTP. Apollo Client 4 adds `extensions.clientLibrary` to every request body after
 * the auth link has signed it, which breaks SigV4 (AppSync answers 401); `transport: false`
 * keeps the body the auth link signed.
 */
export function apolloClient(auth: AuthOptions): ApolloClient {
  const { graphqlUrl: url, region } = target();
  // The AppSync links' type declarations import @apollo/client's CommonJS build; at run time
  // they are the same ApolloLink classes, hence the casts.
  const http = new HttpLink({ uri: url, enhancedClientAwareness: { transport: false } }) as unknown as Parameters<
    typeof createSubscriptionHandshakeLink
  >[1];
  const links = [createAuthLink({ url, region, auth }), createSubscriptionHandshakeLink({ url, region, auth }, http)] as unknown as ApolloLink[];
  return new ApolloClient({ link: ApolloLink.from(links), cache: new InMemoryCache() });
}
