/**
 * What every operation of one pool works with: its settings, its ports, and the challenge
 * sessions in flight (memory only: AWS lets them live minutes, a restart ends them).
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { invalidParameter, notAuthorized, resourceNotFound } from './errors.js';
import type { ClientConfig, PoolConfig } from './pool-config.js';
import type { Clock, Mailbox, TokenSigner, UserRecord, UserStore } from './ports.js';
import type { ServerChallenge } from './srp.js';
import { maskDestination, newCode } from './users.js';

export type ChallengeSession =
  | {
      readonly kind: 'PASSWORD_VERIFIER';
      readonly username: string;
      readonly clientId: string;
      readonly A: bigint;
      readonly challenge: ServerChallenge;
      /** An unknown user's simulated challenge (PreventUserExistenceErrors): it can only fail. */
      readonly simulated: boolean;
      readonly expiresAt: number;
    }
  | { readonly kind: 'NEW_PASSWORD_REQUIRED'; readonly username: string; readonly clientId: string; readonly expiresAt: number };

export interface PoolContext {
  readonly pool: PoolConfig;
  readonly store: UserStore;
  readonly mailbox: Mailbox;
  readonly clock: Clock;
  readonly signer: TokenSigner;
  /** Keyed by SECRET_BLOCK (SRP) or Session (other challenges). */
  readonly sessions: Map<string, ChallengeSession>;
  /** Verification e-mail wording from the template (`{####}` is the code). */
  readonly messages: { readonly verifySubject: string; readonly verifyBody: string; readonly inviteSubject: string; readonly inviteBody: string };
}

export type Body = Readonly<Record<string, unknown>>;

export const text = (body: Body, field: string, wire: string = field.charAt(0).toLowerCase() + field.slice(1)): string => {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidParameter(`1 validation error detected: Value at '${wire}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
};

export const optionalText = (body: Body, field: string): string | undefined => {
  const value = body[field];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

export const record = (body: Body, field: string): Readonly<Record<string, string>> => {
  const value = body[field];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
};

export function clientOf(ctx: PoolContext, clientId: string): ClientConfig {
  const client = ctx.pool.clients.get(clientId);
  if (!client) throw resourceNotFound(`User pool client ${clientId} does not exist.`);
  return client;
}

/**
 * A client with a secret needs SECRET_HASH = Base64(HMAC-SHA256(secret, username + clientId)),
 * with the username as the request gave it; the internal username (USER_ID_FOR_SRP) is accepted too.
 */
export function checkSecretHash(client: ClientConfig, usernames: readonly string[], secretHash: string | undefined): void {
  if (client.secret === undefined) return;
  if (secretHash === undefined) throw notAuthorized(`Client ${client.clientId} is configured with secret but SECRET_HASH was not received`);
  const given = Buffer.from(secretHash, 'base64');
  const secret = client.secret;
  const matches = usernames.some((username) => {
    const expected = createHmac('sha256', secret).update(`${username}${client.clientId}`).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw notAuthorized(`Unable to verify secret hash for client ${client.clientId}`);
}

/** GetTokensFromRefreshToken and RevokeToken take the secret itself (`ClientSecret`), compared in constant time. */
export function checkClientSecret(client: ClientConfig, given: string | undefined, refuse: () => Error): void {
  if (client.secret === undefined) return;
  const expected = createHash('sha256').update(client.secret).digest();
  const actual = createHash('sha256').update(given ?? '').digest();
  if (given === undefined || !timingSafeEqual(actual, expected)) throw refuse();
}

/** Challenges in flight at most: a client looping on InitiateAuth must not exhaust memory before they expire. */
export const MAX_SESSIONS = 10_000;

/** Keeps a challenge session; past MAX_SESSIONS the oldest is dropped (a Map iterates in insertion order). */
export function rememberSession(ctx: PoolContext, key: string, session: ChallengeSession): void {
  if (ctx.sessions.size >= MAX_SESSIONS) {
    const oldest = ctx.sessions.keys().next();
    if (oldest.done !== true) ctx.sessions.delete(oldest.value);
  }
  ctx.sessions.set(key, session);
}

export const newSessionId = (): string => randomBytes(96).toString('base64');

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** An unknown user's stable stand-in (PreventUserExistenceErrors): same salt and UUID-shaped id each time. */
export function simulatedIdentity(ctx: PoolContext, typed: string): { readonly userId: string; readonly salt: string } {
  const digest = createHash('sha256').update(`${ctx.pool.userPoolId}\u0000${typed.toLowerCase()}`).digest('hex');
  const id = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-4${digest.slice(13, 16)}-a${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  return { userId: id, salt: digest.slice(32, 64) };
}

export const deliveryDetails = (destination: string) => ({
  Destination: maskDestination(destination),
  DeliveryMedium: 'EMAIL',
  AttributeName: 'email',
});

/**
 * Stores the user with a fresh code pending, then mails the code to their e-mail. The store is
 * updated before the first await, so a concurrent request (a double-clicked sign-up) already sees
 * this user when it checks whether the name is taken.
 */
export async function sendCode(
  ctx: PoolContext,
  user: UserRecord,
  purpose: 'confirm-sign-up' | 'reset-password' | 'verify-email',
  validitySeconds: number,
): Promise<UserRecord> {
  const code = newCode();
  const now = ctx.clock.now();
  const updated: UserRecord = { ...user, code: { purpose, code, expiresAt: now + validitySeconds * 1000 }, updatedAt: now };
  const stored = ctx.store.put(updated);
  await ctx.mailbox.send({
    at: new Date(now).toISOString(),
    to: user.attributes['email'] ?? '',
    subject: purpose === 'reset-password' ? 'Your password reset code' : ctx.messages.verifySubject,
    body: (purpose === 'reset-password' ? 'Your password reset code is {####}.' : ctx.messages.verifyBody).replace('{####}', code),
    code,
  });
  await stored;
  return updated;
}

export const newSub = (): string => randomUUID();
