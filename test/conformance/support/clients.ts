import type { AuthOptions } from 'aws-appsync-auth-link';
import { appSyncApolloClient } from '../../../client/apollo.js';
import { type LocalSession, configureAmplify as configureLocalAmplify, installTrustingWebSocket } from '../../support/amplify.js';
import { target } from './target.js';

/**
 * The two off-the-shelf AppSync clients, unmodified, pointed at the target: aws-amplify v6
 * (configured from amplify_outputs.json) and Apollo Client with aws-appsync-auth-link and
 * aws-appsync-subscription-link. Both open WebSockets through the global `WebSocket`, whose
 * Node version trusts only the system's authorities: `installWebSocket` provides `ws`, trusting
 * the local stack's certificate.
 */

export function installWebSocket(): () => void {
  return installTrustingWebSocket(target().caPath);
}

/** The signed-in user as amplify's token provider reports it. */
export type AmplifySession = LocalSession;

/** Amplify.configure with the target's amplify_outputs.json and a token provider for `session`. */
export function configureAmplify(session: AmplifySession): void {
  configureLocalAmplify(target().outputs, session);
}

/** Apollo Client with aws-appsync-auth-link and aws-appsync-subscription-link, at the target. */
export function apolloClient(auth: AuthOptions) {
  const { graphqlUrl: url, region } = target();
  return appSyncApolloClient({ url, region, auth });
}
