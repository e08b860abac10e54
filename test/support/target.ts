import { inject } from 'vitest';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import type { StackTarget } from './test-stack.js';

/** Where the end-to-end suite sends its requests, as the global setup provides it. */
export interface E2eTarget extends StackTarget {
  readonly realtimeUrl: string;
  readonly caPath: string;
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
