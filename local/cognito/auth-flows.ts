/**
 * Signing in: InitiateAuth (USER_SRP_AUTH, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH),
 * RespondToAuthChallenge (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED) and
 * GetTokensFromRefreshToken, with Cognito's lockout after repeated failures.
 */
import { randomBytes } from 'node:crypto';
import {
  type Body,
  type PoolContext,
  checkClientSecret,
  checkSecretHash,
  clientOf,
  newSessionId,
  optionalText,
  record,
  rememberSession,
  simulatedIdentity,
  text,
} from './context.js';
import {
  CognitoError,
  incorrectCredentials,
  invalidParameter,
  notAuthorized,
  passwordAttemptsExceeded,
  userNotConfirmed,
  userNotFound,
} from './errors.js';
import type { ClientConfig } from './pool-config.js';
import type { UserRecord } from './ports.js';
import { createServerChallenge, createVerifier, parseA, parseTimestamp, passwordMatches, poolNameOf, verifyClaim } from './srp.js';
import { issueTokens, liveRefreshToken } from './tokens.js';
import { checkPassword, findUser, parseAttributes } from './users.js';

/** From this many failures in a row on, each one locks sign-in: 1 s, doubling, up to 15 min. */
const FREE_FAILURES = 5;
const MAX_LOCK_SECONDS = 900;

/** InitiateAuth's flows, the client setting that allows each, and whether the local stack runs it. */
const FLOWS: Readonly<Record<string, { readonly setting: string; readonly local: boolean }>> = {
  USER_SRP_AUTH: { setting: 'ALLOW_USER_SRP_AUTH', local: true },
  USER_PASSWORD_AUTH: { setting: 'ALLOW_USER_PASSWORD_AUTH', local: true },
  REFRESH_TOKEN_AUTH: { setting: 'ALLOW_REFRESH_TOKEN_AUTH', local: true },
  REFRESH_TOKEN: { setting: 'ALLOW_REFRESH_TOKEN_AUTH', local: true },
  CUSTOM_AUTH: { setting: 'ALLOW_CUSTOM_AUTH', local: false },
  USER_AUTH: { setting: 'ALLOW_USER_AUTH', local: false },
};

function requireFlow(client: ClientConfig, flow: string): void {
  if (flow === 'ADMIN_USER_PASSWORD_AUTH' || flow === 'ADMIN_NO_SRP_AUTH') throw invalidParameter('Initiate Auth method not supported.');
  const known = Object.hasOwn(FLOWS, flow) ? FLOWS[flow] : undefined;
  if (known === undefined) {
    throw invalidParameter(
      `1 validation error detected: Value '${flow}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]`,
    );
  }
  if (!client.explicitAuthFlows.has(known.setting)) throw invalidParameter(`${flow} flow not enabled for this client`);
  if (!known.local) throw invalidParameter(`${flow} is not supported by the local stack (docs/conformance.md)`);
}

/** A user who may try to sign in: known (or Cognito's answer for an unknown one), enabled, confirmed, not locked. */
function signInCandidate(ctx: PoolContext, client: ClientConfig, typed: string): UserRecord | undefined {
  const user = findUser(ctx.pool, ctx.store, typed);
  if (!user) {
    if (client.preventUserExistenceErrors) return undefined;
    throw userNotFound();
  }
  if (!user.enabled) throw notAuthorized('User is disabled.');
  if (user.lockedUntil > ctx.clock.now()) throw passwordAttemptsExceeded();
  if (user.status === 'UNCONFIRMED') throw userNotConfirmed();
  if (user.status === 'RESET_REQUIRED') throw new CognitoError('PasswordResetRequiredException', 'Password reset required for the user');
  return user;
}

async function failSignIn(ctx: PoolContext, user: UserRecord): Promise<never> {
  const failures = user.failedSignIns + 1;
  const lockSeconds = failures >= FREE_FAILURES ? Math.min(2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS) : 0;
  await ctx.store.put({ ...user, failedSignIns: failures, lockedUntil: lockSeconds > 0 ? ctx.clock.now() + lockSeconds * 1000 : 0 });
  throw incorrectCredentials();
}

/** The password is right: tokens, or the challenge a user with a temporary password must answer first. */
async function passwordAccepted(ctx: PoolContext, user: UserRecord, client: ClientConfig): Promise<Body> {
  const now = ctx.clock.now();
  const reset = user.failedSignIns === 0 && user.lockedUntil === 0 ? user : { ...user, failedSignIns: 0, lockedUntil: 0 };
  if (reset !== user) await ctx.store.put(reset);
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    if (user.temporaryPasswordExpiresAt !== undefined && user.temporaryPasswordExpiresAt < now) {
      throw notAuthorized('Temporary password has expired and must be reset by an administrator.');
    }
    const session = newSessionId();
    rememberSession(ctx, session, { kind: 'NEW_PASSWORD_REQUIRED', username: user.username, clientId: client.clientId, expiresAt: now + client.authSessionSeconds * 1000 });
    const missing = ctx.pool.requiredAttributes.filter((name) => !user.attributes[name]).map((name) => `userAttributes.${name}`);
    const { email_verified: _verified, ...visible } = user.attributes;
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: session,
      ChallengeParameters: {
        USER_ID_FOR_SRP: user.username,
        requiredAttributes: JSON.stringify(missing),
        userAttributes: JSON.stringify(visible),
      },
    };
  }
  return { ChallengeParameters: {}, AuthenticationResult: await issueTokens(ctx, reset, client, undefined) };
}

export async function initiateAuth(ctx: PoolContext, body: Body): Promise<Body> {
  const flow = text(body, 'AuthFlow');
  const client = clientOf(ctx, text(body, 'ClientId'));
  requireFlow(client, flow);
  const params = record(body, 'AuthParameters');
  const now = ctx.clock.now();

  if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
    const token = params['REFRESH_TOKEN'];
    if (!token) throw invalidParameter('Missing required parameter REFRESH_TOKEN');
    // The hash is over the internal username (the sub when e-mail is the username): the token names no other.
    const authenticate = (username: string) => checkSecretHash(client, [username], params['SECRET_HASH']);
    return { ChallengeParameters: {}, AuthenticationResult: await refresh(ctx, client, token, authenticate) };
  }

  const typed = params['USERNAME'];
  if (!typed) throw invalidParameter('Missing required parameter USERNAME');

  if (flow === 'USER_PASSWORD_AUTH') {
    const password = params['PASSWORD'];
    if (!password) throw invalidParameter('Missing required parameter PASSWORD');
    const user = signInCandidate(ctx, client, typed);
    if (!user) throw incorrectCredentials();
    checkSecretHash(client, [typed, user.username], params['SECRET_HASH']);
    if (!passwordMatches(poolNameOf(ctx.pool.userPoolId), user.username, password, user.verifier)) return failSignIn(ctx, user);
    return passwordAccepted(ctx, user, client);
  }

  // USER_SRP_AUTH: the challenge; the proof comes with RespondToAuthChallenge.
  const A = parseA(params['SRP_A'] ?? '');
  if (A === undefined) throw invalidParameter('Missing required parameter SRP_A');
  const user = signInCandidate(ctx, client, typed);
  if (user) checkSecretHash(client, [typed, user.username], params['SECRET_HASH']);
  const simulated = user ? undefined : simulatedIdentity(ctx, typed);
  const userId = user?.username ?? simulated?.userId ?? '';
  // An unknown user gets a challenge that looks the same and can never be answered.
  const verifier = user?.verifier ?? createVerifier(poolNameOf(ctx.pool.userPoolId), userId, randomBytes(32).toString('hex'), simulated?.salt);
  const challenge = createServerChallenge(verifier.verifier);
  const secretBlock = newSessionId();
  rememberSession(ctx, secretBlock, {
    kind: 'PASSWORD_VERIFIER',
    username: userId,
    clientId: client.clientId,
    A,
    challenge,
    simulated: user === undefined,
    expiresAt: now + client.authSessionSeconds * 1000,
  });
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: { SALT: verifier.salt, SECRET_BLOCK: secretBlock, SRP_B: challenge.B, USERNAME: userId, USER_ID_FOR_SRP: userId },
  };
}

export async function respondToAuthChallenge(ctx: PoolContext, body: Body): Promise<Body> {
  const name = text(body, 'ChallengeName');
  const client = clientOf(ctx, text(body, 'ClientId'));
  const responses = record(body, 'ChallengeResponses');
  const now = ctx.clock.now();

  if (name === 'PASSWORD_VERIFIER') {
    const secretBlock = responses['PASSWORD_CLAIM_SECRET_BLOCK'] ?? '';
    const session = ctx.sessions.get(secretBlock);
    ctx.sessions.delete(secretBlock);
    if (!session || session.kind !== 'PASSWORD_VERIFIER' || session.clientId !== client.clientId || session.expiresAt < now) {
      throw incorrectCredentials();
    }
    if (session.simulated || responses['USERNAME'] !== session.username) throw incorrectCredentials();
    const user = signInCandidate(ctx, client, session.username);
    if (!user) throw incorrectCredentials();
    checkSecretHash(client, [user.username, responses['USERNAME'] ?? ''], responses['SECRET_HASH']);
    const timestamp = responses['TIMESTAMP'] ?? '';
    const proven =
      parseTimestamp(timestamp) !== undefined &&
      verifyClaim({
        poolName: poolNameOf(ctx.pool.userPoolId),
        userId: user.username,
        A: session.A,
        challenge: session.challenge,
        verifier: user.verifier.verifier,
        secretBlock,
        timestamp,
        signature: responses['PASSWORD_CLAIM_SIGNATURE'] ?? '',
      });
    if (!proven) return failSignIn(ctx, user);
    return passwordAccepted(ctx, user, client);
  }

  if (name === 'NEW_PASSWORD_REQUIRED') {
    const sessionId = text(body, 'Session');
    const session = ctx.sessions.get(sessionId);
    if (!session || session.kind !== 'NEW_PASSWORD_REQUIRED' || session.clientId !== client.clientId || session.expiresAt < now) {
      throw notAuthorized('Invalid session for the user, session is expired.');
    }
    const user = ctx.store.get(session.username);
    if (!user || user.status !== 'FORCE_CHANGE_PASSWORD') throw notAuthorized('Invalid session for the user, session is expired.');
    checkSecretHash(client, [user.username, responses['USERNAME'] ?? ''], responses['SECRET_HASH']);
    const password = checkPassword(ctx.pool, responses['NEW_PASSWORD'], 'challengeResponses.NEW_PASSWORD');
    const given = parseAttributes(
      Object.entries(responses)
        .filter(([key]) => key.startsWith('userAttributes.'))
        .map(([key, value]) => ({ Name: key.slice('userAttributes.'.length), Value: value })),
    );
    const missing = ctx.pool.requiredAttributes.filter((attribute) => !user.attributes[attribute] && !given[attribute]);
    if (missing.length > 0) throw invalidParameter(`Invalid attributes given, ${missing.join(', ')} is missing`);
    ctx.sessions.delete(sessionId);
    const updated: UserRecord = {
      ...user,
      attributes: { ...given, ...user.attributes },
      status: 'CONFIRMED',
      verifier: createVerifier(poolNameOf(ctx.pool.userPoolId), user.username, password),
      temporaryPasswordExpiresAt: undefined,
      updatedAt: now,
    };
    await ctx.store.put(updated);
    return { ChallengeParameters: {}, AuthenticationResult: await issueTokens(ctx, updated, client, undefined) };
  }

  throw invalidParameter(`The challenge ${name} is not supported by the local stack`);
}

async function refresh(ctx: PoolContext, client: ClientConfig, token: string, authenticate: (username: string) => void) {
  const found = liveRefreshToken(ctx, token, client.clientId);
  authenticate(found.username);
  const user = ctx.store.get(found.username);
  if (!user) throw notAuthorized('Invalid Refresh Token.');
  if (!user.enabled) throw notAuthorized('User is disabled.');
  return issueTokens(ctx, user, client, { authTime: found.authTime, originJti: found.originJti });
}

export async function getTokensFromRefreshToken(ctx: PoolContext, body: Body): Promise<Body> {
  const client = clientOf(ctx, text(body, 'ClientId'));
  requireFlow(client, 'REFRESH_TOKEN_AUTH');
  const token = text(body, 'RefreshToken');
  checkClientSecret(client, optionalText(body, 'ClientSecret'), () => notAuthorized(`Unable to verify secret hash for client ${client.clientId}`));
  return { AuthenticationResult: await refresh(ctx, client, token, () => undefined) };
}
