/**
 * The AWS_LAMBDA auth mode: the event AppSync sends the authorizer function, and its answer read
 * as AppSync reads it (isAuthorized, resolverContext, deniedFields, ttlOverride).
 */
import { randomUUID } from 'node:crypto';
import type { AuthRequest, Caller } from '../contracts.js';

export interface LambdaAuthorizerEvent {
  readonly authorizationToken: string;
  readonly requestContext: {
    readonly apiId: string;
    readonly accountId: string;
    readonly requestId: string;
    readonly queryString: string;
    readonly operationName: string | null;
    readonly variables: Readonly<Record<string, unknown>>;
  };
  readonly requestHeaders: Readonly<Record<string, string>>;
}

export interface LambdaAuthorizerConfig {
  readonly apiId: string;
  readonly accountId: string;
  /** Calls the authorizer function and returns its result. */
  readonly invoke: (event: LambdaAuthorizerEvent) => Promise<unknown>;
  /** Checked (whole-token match) before the function is called. */
  readonly identityValidationExpression?: string;
  /** Result cache TTL, 0-3600; `ttlOverride` in a response wins. @default 300 */
  readonly resultTtlSeconds?: number;
}

const DEFAULT_LAMBDA_TTL_SECONDS = 300;

/** What the authorizer decided, and until when (epoch ms) the decision is cached. */
export type AuthorizerAnswer =
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'denied'; readonly expiresAt: number }
  | { readonly kind: 'allowed'; readonly expiresAt: number; readonly caller: Caller };

/** The event for `request`: its GraphQL body (an empty query when it is not JSON) and headers. */
export function authorizerEvent(config: LambdaAuthorizerConfig, request: AuthRequest, token: string): LambdaAuthorizerEvent {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(request.body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the authorizer sees an empty query.
  }
  const variables = body['variables'];
  return {
    authorizationToken: token,
    requestContext: {
      apiId: config.apiId,
      accountId: config.accountId,
      requestId: randomUUID(),
      queryString: typeof body['query'] === 'string' ? body['query'] : '',
      operationName: typeof body['operationName'] === 'string' ? body['operationName'] : null,
      variables: typeof variables === 'object' && variables !== null ? (variables as Readonly<Record<string, unknown>>) : {},
    },
    requestHeaders: request.headers,
  };
}

export function readAuthorizerResult(config: LambdaAuthorizerConfig, result: unknown, now: number): AuthorizerAnswer {
  if (typeof result !== 'object' || result === null || typeof (result as { isAuthorized?: unknown }).isAuthorized !== 'boolean') {
    return { kind: 'invalid', reason: 'Lambda authorizer returned an invalid response (isAuthorized must be a boolean)' };
  }
  const response = result as {
    isAuthorized: boolean;
    resolverContext?: unknown;
    deniedFields?: unknown;
    ttlOverride?: unknown;
  };
  const ttlSeconds = typeof response.ttlOverride === 'number' ? response.ttlOverride : (config.resultTtlSeconds ?? DEFAULT_LAMBDA_TTL_SECONDS);
  const expiresAt = now + Math.min(Math.max(ttlSeconds, 0), 3600) * 1000;
  if (!response.isAuthorized) return { kind: 'denied', expiresAt };
  const resolverContext =
    typeof response.resolverContext === 'object' && response.resolverContext !== null
      ? (response.resolverContext as Readonly<Record<string, unknown>>)
      : {};
  const deniedFields = Array.isArray(response.deniedFields)
    ? response.deniedFields.filter((f): f is string => typeof f === 'string').map(normalizeDeniedField)
    : [];
  return { kind: 'allowed', expiresAt, caller: { mode: 'AWS_LAMBDA', identity: { resolverContext }, deniedFields } };
}

/** `arn:aws:appsync:<region>:<account>:apis/<id>/types/<T>/fields/<f>` or `T.f` -> `T.f`. */
const normalizeDeniedField = (value: string): string => {
  const arn = /\/types\/([^/]+)\/fields\/([^/]+)$/.exec(value);
  return arn === null ? value : `${arn[1]}.${arn[2]}`;
};
