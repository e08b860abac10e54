import { inject } from 'vitest';

/**
 * Where the conformance suite sends its requests: the local stack running the fixture app (the
 * suite's global setup starts it), or a deployed copy of the same app, described by an
 * amplify_outputs.json and AWS credentials (`npm run test:conformance -- --outputs <file>`).
 * Tests reach it only over HTTP and WebSocket.
 */
export interface ConformanceTarget {
  readonly kind: 'local' | 'deployed';
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly region: string;
  readonly apiKey: string;
  /** A key past its expiry (local only: AppSync will not create one). */
  readonly expiredApiKey: string | undefined;
  /** The CA of the local stack's certificate; undefined for AWS (a public CA). */
  readonly caPath: string | undefined;
  readonly iam: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** amplify_outputs.json as text. */
  readonly outputs: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly oidc: { readonly issuer: string; readonly clientId: string };
  /** `ka` interval: the local stack's is short for tests; AppSync's is about a minute. */
  readonly keepAliveMs: number;
  /** How long a connection may wait before `connection_init` (local only; AppSync's is not documented). */
  readonly initTimeoutMs: number | undefined;
  /** The local stack's state folder (token signing keys); local only. */
  readonly stateDir: string | undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    conformanceTarget: ConformanceTarget;
  }
}

export const target = (): ConformanceTarget => inject('conformanceTarget');

/** The GraphQL host a real-time client names in its `host` header. */
export const graphqlHost = (): string => new URL(target().graphqlUrl).host;

export const isLocal = (): boolean => target().kind === 'local';
