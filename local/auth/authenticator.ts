/**
 * AppSync request authentication for the local stack: picks the enabled mode(s) whose credentials
 * the request carries (default mode first, then the additional ones) and builds the caller's
 * `identity` in AppSync's exact shape.
 */
import {
  createLocalJWKSet,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type {
  AuthMode,
  AuthOutcome,
  AuthRequest,
  Authenticator,
  Caller,
  CognitoIdentity,
  IamIdentity,
} from '../contracts.js';
import { type LambdaAuthorizerConfig, authorizerEvent, readAuthorizerResult } from './lambda-authorizer.js';
import { SIGV4_ALGORITHM, verifySigV4Request, type SigningCredential } from './sigv4.js';

export type { LambdaAuthorizerConfig, LambdaAuthorizerEvent } from './lambda-authorizer.js';

export interface ApiKeyConfig {
  readonly id: string;
  /** Epoch seconds. */
  readonly expires: number;
}

export interface UserPoolAuthConfig {
  readonly userPoolId: string;
  /** App client ids whose tokens are accepted (`aud` of ID tokens, `client_id` of access tokens). Undefined: any client. */
  readonly clientIds: readonly string[] | undefined;
  /** Expected `iss`, e.g. `cognitoIssuerUrl(region, userPoolId)`. */
  readonly issuer: string;
  /** Public keys (e.g. `LocalIssuer.jwks`) or a jose key resolver. */
  readonly jwks: JSONWebKeySet | JWTVerifyGetKey;
  /** AppSync `userPoolConfig.defaultAction`, surfaced as `identity.defaultAuthStrategy`. @default 'ALLOW' */
  readonly defaultAction?: 'ALLOW' | 'DENY';
}

export interface IamCredentialConfig extends SigningCredential {
  /** Who the key belongs to; `username` is the principal id (e.g. `AIDA...` or `AROA...:session`). */
  readonly identity: { readonly accountId: string; readonly userArn: string; readonly username: string };
}

export interface IamAuthConfig {
  /** The API's region; a signature scoped to another region is rejected. */
  readonly region: string;
  readonly credentials: readonly IamCredentialConfig[];
  /** @default 900 (AWS's SigV4 limit) */
  readonly maxSkewSeconds?: number;
}

export interface OidcAuthConfig {
  readonly issuer: string;
  /** When set, `aud` must contain it. */
  readonly clientId?: string;
  readonly jwks: JSONWebKeySet | JWTVerifyGetKey;
  /** Max seconds since `iat`. 0 or unset: no limit. */
  readonly iatTtlSeconds?: number;
  /** Max seconds since `auth_time`. 0 or unset: no limit. */
  readonly authTtlSeconds?: number;
}

export interface AuthenticatorConfig {
  readonly defaultMode: AuthMode;
  readonly additionalModes: readonly AuthMode[];
  readonly apiKeys: readonly ApiKeyConfig[];
  readonly userPool?: UserPoolAuthConfig;
  readonly iam?: IamAuthConfig;
  readonly oidc?: OidcAuthConfig;
  readonly lambdaAuthorizer?: LambdaAuthorizerConfig;
  /** Clock in epoch milliseconds (tests). @default Date.now */
  readonly now?: () => number;
}

export class AuthConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid authentication config: ${problems.join('; ')}`);
    this.name = 'AuthConfigError';
    this.problems = problems;
  }
}

export const NO_CREDENTIALS_REASON = 'Valid authorization header not provided.';
const JWT_CACHE_LIMIT = 10_000;

type Attempt = AuthOutcome | undefined; // undefined: the request carries no credentials for this mode
type CallerFor = (sourceIp: string) => Caller;
interface CacheEntry {
  readonly expiresAt: number;
  readonly outcome: { readonly ok: true; readonly callerFor: CallerFor } | { readonly ok: false; readonly reason: string };
}

const toKeyResolver = (jwks: JSONWebKeySet | JWTVerifyGetKey): JWTVerifyGetKey =>
  typeof jwks === 'function' ? jwks : createLocalJWKSet(jwks);

const stripBearer = (value: string): string => value.replace(/^bearer\s+/i, '').trim();

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const audiences = (payload: JWTPayload): readonly string[] =>
  typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];

const validateConfig = (config: AuthenticatorConfig, modes: readonly AuthMode[]): void => {
  const problems: string[] = [];
  if (modes.includes('AMAZON_COGNITO_USER_POOLS') && config.userPool === undefined) {
    problems.push('AMAZON_COGNITO_USER_POOLS is enabled but userPool is not configured');
  }
  if (modes.includes('AWS_IAM') && config.iam === undefined) {
    problems.push('AWS_IAM is enabled but iam is not configured');
  }
  if (modes.includes('OPENID_CONNECT') && config.oidc === undefined) {
    problems.push('OPENID_CONNECT is enabled but oidc is not configured');
  }
  if (modes.includes('AWS_LAMBDA') && config.lambdaAuthorizer === undefined) {
    problems.push('AWS_LAMBDA is enabled but lambdaAuthorizer is not configured');
  }
  const ttl = config.lambdaAuthorizer?.resultTtlSeconds;
  if (ttl !== undefined && (ttl < 0 || ttl > 3600)) problems.push('lambdaAuthorizer.resultTtlSeconds must be 0-3600');
  if (problems.length > 0) throw new AuthConfigError(problems);
};

export const createAuthenticator = (config: AuthenticatorConfig): Authenticator => {
  const modes = [...new Set<AuthMode>([config.defaultMode, ...config.additionalModes])];
  validateConfig(config, modes);
  const now = config.now ?? Date.now;
  const apiKeys = new Map(config.apiKeys.map((key) => [key.id, key.expires]));
  const iamCredentials = new Map((config.iam?.credentials ?? []).map((c) => [c.accessKeyId, c]));
  const userPoolKeys = config.userPool === undefined ? undefined : toKeyResolver(config.userPool.jwks);
  const oidcKeys = config.oidc === undefined ? undefined : toKeyResolver(config.oidc.jwks);
  const lambdaPattern =
    config.lambdaAuthorizer?.identityValidationExpression === undefined
      ? undefined
      : new RegExp(`^(?:${config.lambdaAuthorizer.identityValidationExpression})$`);

  /** Verified tokens (and Lambda authorizer results) by mode and token, until they expire. */
  const cache = new Map<string, CacheEntry>();
  const remember = (key: string, entry: CacheEntry): void => {
    if (entry.expiresAt <= now()) return;
    if (cache.size >= JWT_CACHE_LIMIT) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key, entry);
  };
  const cached = (key: string, sourceIp: string): AuthOutcome | undefined => {
    const entry = cache.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      cache.delete(key);
      return undefined;
    }
    return entry.outcome.ok ? { ok: true, caller: entry.outcome.callerFor(sourceIp) } : entry.outcome;
  };

  const apiKeyAttempt = (request: AuthRequest): Attempt => {
    const key = request.headers['x-api-key'];
    if (key === undefined) return undefined;
    const expires = apiKeys.get(key);
    if (expires === undefined) return { ok: false, reason: 'Unknown API key' };
    if (expires * 1000 <= now()) return { ok: false, reason: 'API key has expired' };
    return { ok: true, caller: { mode: 'API_KEY', identity: null } };
  };

  const iamAttempt = async (request: AuthRequest, authorization: string | undefined): Promise<Attempt> => {
    const iam = config.iam;
    if (iam === undefined || authorization === undefined || !authorization.trimStart().startsWith(SIGV4_ALGORITHM)) {
      return undefined;
    }
    const verified = await verifySigV4Request(request, (id) => iamCredentials.get(id), {
      service: 'appsync',
      region: iam.region,
      now: now(),
      ...(iam.maxSkewSeconds !== undefined ? { maxSkewSeconds: iam.maxSkewSeconds } : {}),
    });
    if (!verified.ok) return verified;
    const { accountId, userArn, username } = verified.credential.identity;
    const identity: IamIdentity = {
      accountId,
      cognitoIdentityPoolId: null,
      cognitoIdentityId: null,
      sourceIp: [request.sourceIp],
      username,
      userArn,
      cognitoIdentityAuthType: null,
      cognitoIdentityAuthProvider: null,
    };
    return { ok: true, caller: { mode: 'AWS_IAM', identity } };
  };

  const userPoolAttempt = async (request: AuthRequest, token: string): Promise<AuthOutcome> => {
    const pool = config.userPool;
    if (pool === undefined || userPoolKeys === undefined) return { ok: false, reason: 'User pools not configured' };
    const cacheKey = `AMAZON_COGNITO_USER_POOLS\u0000${token}`;
    const hit = cached(cacheKey, request.sourceIp);
    if (hit !== undefined) return hit;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, userPoolKeys, {
        issuer: pool.issuer,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      return { ok: false, reason: `Invalid user pool token: ${errorMessage(error)}` };
    }
    const tokenUse = payload['token_use'];
    const clients = pool.clientIds;
    if (tokenUse === 'id') {
      if (clients !== undefined && !audiences(payload).some((aud) => clients.includes(aud))) {
        return { ok: false, reason: 'Invalid user pool token: aud is not an allowed client id' };
      }
    } else if (tokenUse === 'access') {
      const clientId = payload['client_id'];
      if (clients !== undefined && (typeof clientId !== 'string' || !clients.includes(clientId))) {
        return { ok: false, reason: 'Invalid user pool token: client_id is not an allowed client id' };
      }
    } else {
      return { ok: false, reason: "Invalid user pool token: token_use must be 'id' or 'access'" };
    }
    const usernameClaim = payload['cognito:username'] ?? payload['username'];
    const groupsClaim = payload['cognito:groups'];
    const base = {
      sub: payload.sub ?? '',
      issuer: pool.issuer,
      username: typeof usernameClaim === 'string' ? usernameClaim : (payload.sub ?? ''),
      claims: payload as Readonly<Record<string, unknown>>,
      defaultAuthStrategy: pool.defaultAction ?? 'ALLOW',
      groups: Array.isArray(groupsClaim) ? groupsClaim.filter((g): g is string => typeof g === 'string') : null,
    } as const;
    const callerFor: CallerFor = (sourceIp) => {
      const identity: CognitoIdentity = { ...base, sourceIp: [sourceIp] };
      return { mode: 'AMAZON_COGNITO_USER_POOLS', identity };
    };
    remember(cacheKey, { expiresAt: (payload.exp ?? 0) * 1000, outcome: { ok: true, callerFor } });
    return { ok: true, caller: callerFor(request.sourceIp) };
  };

  const oidcAttempt = async (request: AuthRequest, token: string): Promise<AuthOutcome> => {
    const oidc = config.oidc;
    if (oidc === undefined || oidcKeys === undefined) return { ok: false, reason: 'OIDC not configured' };
    const cacheKey = `OPENID_CONNECT\u0000${token}`;
    const hit = cached(cacheKey, request.sourceIp);
    if (hit !== undefined) return hit;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, oidcKeys, {
        issuer: oidc.issuer,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
        ...(oidc.clientId !== undefined ? { audience: oidc.clientId } : {}),
      }));
    } catch (error) {
      return { ok: false, reason: `Invalid OIDC token: ${errorMessage(error)}` };
    }
    let expiresAt = (payload.exp ?? 0) * 1000;
    if (oidc.iatTtlSeconds !== undefined && oidc.iatTtlSeconds > 0) {
      if (typeof payload.iat !== 'number') return { ok: false, reason: 'Invalid OIDC token: missing iat' };
      expiresAt = Math.min(expiresAt, (payload.iat + oidc.iatTtlSeconds) * 1000);
    }
    if (oidc.authTtlSeconds !== undefined && oidc.authTtlSeconds > 0) {
      const authTime = payload['auth_time'];
      if (typeof authTime !== 'number') return { ok: false, reason: 'Invalid OIDC token: missing auth_time' };
      expiresAt = Math.min(expiresAt, (authTime + oidc.authTtlSeconds) * 1000);
    }
    if (expiresAt <= now()) return { ok: false, reason: 'Invalid OIDC token: issued or authenticated too long ago' };
    const identity = { sub: payload.sub ?? '', issuer: oidc.issuer, claims: payload as Readonly<Record<string, unknown>> };
    const callerFor: CallerFor = () => ({ mode: 'OPENID_CONNECT', identity });
    remember(cacheKey, { expiresAt, outcome: { ok: true, callerFor } });
    return { ok: true, caller: callerFor(request.sourceIp) };
  };

  const lambdaAttempt = async (request: AuthRequest, token: string): Promise<AuthOutcome> => {
    const lambda = config.lambdaAuthorizer;
    if (lambda === undefined) return { ok: false, reason: 'Lambda authorizer not configured' };
    if (lambdaPattern !== undefined && !lambdaPattern.test(token)) {
      return { ok: false, reason: 'Token does not match identityValidationExpression' };
    }
    const cacheKey = `AWS_LAMBDA\u0000${token}`;
    const hit = cached(cacheKey, request.sourceIp);
    if (hit !== undefined) return hit;
    let result: unknown;
    try {
      result = await lambda.invoke(authorizerEvent(lambda, request, token));
    } catch (error) {
      return { ok: false, reason: `Lambda authorizer failed: ${errorMessage(error)}` };
    }
    const answer = readAuthorizerResult(lambda, result, now());
    if (answer.kind === 'invalid') return { ok: false, reason: answer.reason };
    if (answer.kind === 'denied') {
      const denied = { ok: false, reason: 'Lambda authorizer denied the request' } as const;
      remember(cacheKey, { expiresAt: answer.expiresAt, outcome: denied });
      return denied;
    }
    const callerFor: CallerFor = () => ({ ...answer.caller });
    remember(cacheKey, { expiresAt: answer.expiresAt, outcome: { ok: true, callerFor } });
    return { ok: true, caller: answer.caller };
  };

  const attempt = async (mode: AuthMode, request: AuthRequest): Promise<Attempt> => {
    const authorization = request.headers['authorization'];
    const isSigV4 = authorization?.trimStart().startsWith(SIGV4_ALGORITHM) ?? false;
    const bearer = authorization === undefined || isSigV4 ? undefined : stripBearer(authorization);
    switch (mode) {
      case 'API_KEY':
        return apiKeyAttempt(request);
      case 'AWS_IAM':
        return iamAttempt(request, authorization);
      case 'AMAZON_COGNITO_USER_POOLS':
        return bearer === undefined || bearer.length === 0 ? undefined : userPoolAttempt(request, bearer);
      case 'OPENID_CONNECT':
        return bearer === undefined || bearer.length === 0 ? undefined : oidcAttempt(request, bearer);
      case 'AWS_LAMBDA':
        return authorization === undefined || isSigV4 ? undefined : lambdaAttempt(request, authorization);
    }
  };

  return {
    async authenticate(request) {
      let firstFailure: AuthOutcome | undefined;
      for (const mode of modes) {
        const outcome = await attempt(mode, request);
        if (outcome === undefined) continue;
        if (outcome.ok) return outcome;
        firstFailure ??= outcome;
      }
      return (
        firstFailure ?? {
          ok: false,
          reason: `${NO_CREDENTIALS_REASON} (no credentials for an enabled mode: ${modes.join(', ')})`,
        }
      );
    },
  };
};
