import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { decodeJWT } from 'aws-amplify/auth';
import WebSocket, { type ClientOptions } from 'ws';

/**
 * Makes the unmodified aws-amplify v6 client usable from Node against the local stack:
 * a global `WebSocket` that trusts the stack's self-signed certificate (Node's own trusts only
 * the system's authorities, read at start), and
 * `Amplify.configure` with the stack's `amplify_outputs.json` and a token provider that hands
 * out a local user-pool token instead of signing in to Cognito.
 */
export function installTrustingWebSocket(caPath: string | undefined): () => void {
  // A deployed stack has a certificate the system already trusts: no CA to add.
  const ca = caPath ? readFileSync(caPath) : undefined;
  class TrustingWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[], options?: ClientOptions) {
      super(address, protocols, { ...options, ...(ca ? { ca } : {}) });
    }
  }
  const global = globalThis as { WebSocket?: unknown };
  const previous = global.WebSocket;
  global.WebSocket = TrustingWebSocket;
  return () => {
    global.WebSocket = previous;
  };
}

/** The signed-in user, as amplify's token provider reports it; `undefined` is signed out. */
export interface LocalSession {
  token: string | undefined;
}

export function configureAmplify(outputs: string, session: LocalSession): void {
  Amplify.configure(JSON.parse(outputs) as Parameters<typeof Amplify.configure>[0], {
    Auth: {
      tokenProvider: {
        getTokens: async () =>
          session.token === undefined
            ? null
            : { accessToken: decodeJWT(session.token), idToken: decodeJWT(session.token) },
      },
    },
  });
}
