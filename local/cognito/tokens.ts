/**
 * ID, access and refresh tokens as Cognito issues them, and the access-token check of the
 * operations a signed-in user calls (GetUser, ChangePassword, GlobalSignOut, ...).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type PoolContext, sha256 } from './context.js';
import { notAuthorized, userNotFound } from './errors.js';
import type { ClientConfig } from './pool-config.js';
import type { RefreshTokenRecord, UserRecord } from './ports.js';

export interface AuthenticationResult {
  readonly AccessToken: string;
  readonly IdToken: string;
  readonly ExpiresIn: number;
  readonly TokenType: 'Bearer';
  readonly RefreshToken?: string;
}

const BOOLEAN_ATTRIBUTES = new Set(['email_verified', 'phone_number_verified']);

/** The user's attributes the client may read, typed as the ID token carries them. */
function idTokenAttributes(user: UserRecord, client: ClientConfig): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(user.attributes)) {
    if (client.readAttributes !== undefined && !client.readAttributes.has(name)) continue;
    claims[name] = BOOLEAN_ATTRIBUTES.has(name) ? value === 'true' : value;
  }
  return claims;
}

/**
 * Tokens for a sign-in (`refresh` set: a new refresh token and origin) or a refresh (the
 * original `auth_time` and `origin_jti` kept, as Cognito does).
 */
export async function issueTokens(
  ctx: PoolContext,
  user: UserRecord,
  client: ClientConfig,
  session: { readonly authTime: number; readonly originJti: string } | undefined,
): Promise<AuthenticationResult> {
  const iat = Math.floor(ctx.clock.now() / 1000);
  const authTime = session?.authTime ?? iat;
  const originJti = session?.originJti ?? randomUUID();
  const eventId = randomUUID();
  // Cognito lists a user's groups by precedence (lowest first), then name.
  const rank = (group: string) => ctx.pool.groups.get(group)?.precedence ?? Number.MAX_SAFE_INTEGER;
  const ordered = [...user.groups].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const groups = ordered.length > 0 ? { 'cognito:groups': ordered } : {};
  const idToken = await ctx.signer.sign(
    {
      sub: user.sub,
      ...groups,
      ...idTokenAttributes(user, client),
      'cognito:username': user.username,
      origin_jti: originJti,
      aud: client.clientId,
      event_id: eventId,
      token_use: 'id',
      auth_time: authTime,
      jti: randomUUID(),
    },
    client.idTokenSeconds,
    iat,
  );
  const accessToken = await ctx.signer.sign(
    {
      sub: user.sub,
      ...groups,
      client_id: client.clientId,
      origin_jti: originJti,
      event_id: eventId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: authTime,
      jti: randomUUID(),
      username: user.username,
    },
    client.accessTokenSeconds,
    iat,
  );
  let refreshToken: string | undefined;
  if (session === undefined) {
    refreshToken = randomBytes(96).toString('base64url');
    await ctx.store.putRefreshToken({
      hash: sha256(refreshToken),
      username: user.username,
      clientId: client.clientId,
      originJti,
      authTime,
      issuedAt: iat,
      expiresAt: iat + client.refreshTokenSeconds,
      revoked: false,
    });
  }
  return {
    AccessToken: accessToken,
    ExpiresIn: client.accessTokenSeconds,
    TokenType: 'Bearer',
    ...(refreshToken === undefined ? {} : { RefreshToken: refreshToken }),
    IdToken: idToken,
  };
}

/** The live refresh token record, or Cognito's error for a missing, revoked or expired one. */
export function liveRefreshToken(ctx: PoolContext, token: string, clientId: string): RefreshTokenRecord {
  const found = ctx.store.refreshToken(sha256(token));
  if (!found || found.clientId !== clientId) throw notAuthorized('Invalid Refresh Token.');
  if (found.revoked) throw notAuthorized('Refresh Token has been revoked');
  if (found.expiresAt * 1000 <= ctx.clock.now()) throw notAuthorized('Refresh Token has expired');
  return found;
}

/** The user an access token belongs to, as the operations that take `AccessToken` check it. */
export async function userOfAccessToken(ctx: PoolContext, token: unknown): Promise<UserRecord> {
  if (typeof token !== 'string' || token.length === 0) {
    throw notAuthorized('Invalid Access Token');
  }
  const verified = await ctx.signer.verify(token);
  if (!verified || verified.claims['token_use'] !== 'access') throw notAuthorized('Invalid Access Token');
  if (verified.expired) throw notAuthorized('Access Token has expired');
  const origin = verified.claims['origin_jti'];
  if (typeof origin === 'string' && ctx.store.isOriginRevoked(origin)) throw notAuthorized('Access Token has been revoked');
  const username = verified.claims['username'];
  const user = typeof username === 'string' ? ctx.store.get(username) : undefined;
  if (!user) throw userNotFound();
  if (!user.enabled) throw notAuthorized('User is disabled.');
  return user;
}

/** Revokes one refresh token and every access token issued from it. */
export async function revokeRefreshToken(ctx: PoolContext, found: RefreshTokenRecord): Promise<void> {
  await ctx.store.putRefreshToken({ ...found, revoked: true });
  await ctx.store.revokeOrigin(found.originJti);
}
