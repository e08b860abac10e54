import { inject } from 'vitest';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';

/** Where the end-to-end suite sends its requests, as the global setup provides it. */
export interface E2eTarget {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly region: string;
  readonly apiKey: string;
  readonly caPath: string;
  readonly stateDir: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly developerCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** amplify_outputs.json of the running stack, as text. */
  readonly outputs: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    target: E2eTarget;
  }
}

export const target = (): E2eTarget => inject('target');

/** The local stack's token issuer (its key lives in the stack's state folder). */
export function localIssuer() {
  const t = target();
  return createLocalIssuer({
    stateDir: t.stateDir,
    region: t.region,
    userPoolId: t.userPoolId,
    clientId: t.userPoolClientId,
  });
}

/** A user-pool ID token for `username`, signed by the local stack's issuer. */
export async function tokenFor(username: string, groups?: readonly string[]): Promise<string> {
  const issuer = await localIssuer();
  return (await issuer.issueTokens({ username, ...(groups ? { groups } : {}) })).idToken;
}
