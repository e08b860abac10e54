/**
 * The administrator's operations (IAM-signed): AdminCreateUser, AdminConfirmSignUp,
 * AdminSetUserPassword, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminGetUser,
 * AdminListGroupsForUser, AdminDeleteUser, ListUsers, DescribeUserPoolClient.
 */
import { randomInt } from 'node:crypto';
import { type Body, type PoolContext, clientOf, newSub, text } from './context.js';
import { invalidParameter, notAuthorized, resourceNotFound, userNotFound, usernameExists } from './errors.js';
import type { UserRecord } from './ports.js';
import { createVerifier, poolNameOf } from './srp.js';
import { attributeList, checkPassword, findUser, newUser, newUsername, parseAttributes, requireAttributes, userTimestamps } from './users.js';

function checkPool(ctx: PoolContext, body: Body): void {
  const id = text(body, 'UserPoolId');
  if (id !== ctx.pool.userPoolId) throw resourceNotFound(`User pool ${id} does not exist.`);
}

function existingUser(ctx: PoolContext, body: Body): UserRecord {
  checkPool(ctx, body);
  const user = findUser(ctx.pool, ctx.store, text(body, 'Username'));
  if (!user) throw userNotFound();
  return user;
}

function checkGroup(ctx: PoolContext, body: Body): string {
  const group = text(body, 'GroupName');
  if (!ctx.pool.groups.has(group)) throw resourceNotFound('Group not found.');
  return group;
}

const userShape = (user: UserRecord) => ({
  Username: user.username,
  Attributes: attributeList(user),
  ...userTimestamps(user),
  Enabled: user.enabled,
  UserStatus: user.status,
});

/** A temporary password that meets the pool's policy (one of each class, at least 16 characters). */
function temporaryPassword(minimumLength: number): string {
  const pick = (alphabet: string) => alphabet[randomInt(alphabet.length)] ?? '';
  const lower = 'abcdefghijkmnopqrstuvwxyz';
  const filler = Math.max(minimumLength, 16) - 3;
  const chars = [pick('ABCDEFGHJKLMNPQRSTUVWXYZ'), pick('23456789'), pick('^$*.!@#%&'), ...Array.from({ length: filler }, () => pick(lower))];
  return chars.join('');
}

export async function adminCreateUser(ctx: PoolContext, body: Body): Promise<Body> {
  checkPool(ctx, body);
  const { pool } = ctx;
  const typed = text(body, 'Username');
  const attributes = parseAttributes(body['UserAttributes']);
  const sub = newSub();
  const username = newUsername(pool, typed, attributes, sub);
  requireAttributes(pool, attributes);
  if (findUser(pool, ctx.store, typed)) {
    throw usernameExists(pool.usernameAttributes.includes('email') ? 'An account with the given email already exists.' : 'User account already exists');
  }
  const given = body['TemporaryPassword'];
  const password = given === undefined ? temporaryPassword(pool.passwordPolicy.minimumLength) : checkPassword(pool, given, 'temporaryPassword');
  const now = ctx.clock.now();
  const user = newUser({
    username,
    sub,
    attributes,
    status: 'FORCE_CHANGE_PASSWORD',
    verifier: createVerifier(poolNameOf(pool.userPoolId), username, password),
    temporaryPasswordExpiresAt: now + pool.passwordPolicy.temporaryPasswordValidityDays * 86_400_000,
    now,
  });
  await ctx.store.put(user);
  if (body['MessageAction'] !== 'SUPPRESS' && attributes['email']) {
    await ctx.mailbox.send({
      at: new Date(now).toISOString(),
      to: attributes['email'],
      subject: ctx.messages.inviteSubject,
      body: ctx.messages.inviteBody.replace('{username}', typed).replace('{####}', password),
      code: password,
    });
  }
  return { User: userShape(user) };
}

export async function adminConfirmSignUp(ctx: PoolContext, body: Body): Promise<Body> {
  const user = existingUser(ctx, body);
  if (user.status !== 'UNCONFIRMED') throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
  await ctx.store.put({ ...user, status: 'CONFIRMED', code: undefined, updatedAt: ctx.clock.now() });
  return {};
}

export async function adminSetUserPassword(ctx: PoolContext, body: Body): Promise<Body> {
  const user = existingUser(ctx, body);
  const password = checkPassword(ctx.pool, body['Password']);
  const permanent = body['Permanent'] === true;
  const now = ctx.clock.now();
  await ctx.store.put({
    ...user,
    verifier: createVerifier(poolNameOf(ctx.pool.userPoolId), user.username, password),
    status: permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD',
    temporaryPasswordExpiresAt: permanent ? undefined : now + ctx.pool.passwordPolicy.temporaryPasswordValidityDays * 86_400_000,
    failedSignIns: 0,
    lockedUntil: 0,
    updatedAt: now,
  });
  return {};
}

export async function adminAddUserToGroup(ctx: PoolContext, body: Body): Promise<Body> {
  const user = existingUser(ctx, body);
  const group = checkGroup(ctx, body);
  if (!user.groups.includes(group)) await ctx.store.put({ ...user, groups: [...user.groups, group], updatedAt: ctx.clock.now() });
  return {};
}

export async function adminRemoveUserFromGroup(ctx: PoolContext, body: Body): Promise<Body> {
  const user = existingUser(ctx, body);
  const group = checkGroup(ctx, body);
  if (user.groups.includes(group)) await ctx.store.put({ ...user, groups: user.groups.filter((g) => g !== group), updatedAt: ctx.clock.now() });
  return {};
}

export async function adminListGroupsForUser(ctx: PoolContext, body: Body): Promise<Body> {
  const user = existingUser(ctx, body);
  return {
    Groups: user.groups.map((name) => {
      const group = ctx.pool.groups.get(name);
      return {
        GroupName: name,
        UserPoolId: ctx.pool.userPoolId,
        ...(group?.precedence === undefined ? {} : { Precedence: group.precedence }),
        ...(group?.description === undefined ? {} : { Description: group.description }),
      };
    }),
  };
}

export async function adminGetUser(ctx: PoolContext, body: Body): Promise<Body> {
  const user = existingUser(ctx, body);
  return { Username: user.username, UserAttributes: attributeList(user), ...userTimestamps(user), Enabled: user.enabled, UserStatus: user.status };
}

/**
 * A client's settings, and its secret when it has one: the only way to learn the secret, which
 * the local stack derives from the state folder's seed, as on AWS it is only shown here.
 */
export async function describeUserPoolClient(ctx: PoolContext, body: Body): Promise<Body> {
  checkPool(ctx, body);
  const client = clientOf(ctx, text(body, 'ClientId'));
  return {
    UserPoolClient: {
      UserPoolId: ctx.pool.userPoolId,
      ClientId: client.clientId,
      ...(client.secret === undefined ? {} : { ClientSecret: client.secret }),
      ExplicitAuthFlows: [...client.explicitAuthFlows],
      PreventUserExistenceErrors: client.preventUserExistenceErrors ? 'ENABLED' : 'LEGACY',
      EnableTokenRevocation: client.enableTokenRevocation,
      AccessTokenValidity: client.accessTokenSeconds,
      IdTokenValidity: client.idTokenSeconds,
      RefreshTokenValidity: client.refreshTokenSeconds,
      TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds', RefreshToken: 'seconds' },
      AuthSessionValidity: client.authSessionSeconds / 60,
      ...(client.readAttributes === undefined ? {} : { ReadAttributes: [...client.readAttributes] }),
    },
  };
}

export async function adminDeleteUser(ctx: PoolContext, body: Body): Promise<Body> {
  const user = existingUser(ctx, body);
  for (const token of ctx.store.refreshTokensOf(user.username)) {
    await ctx.store.putRefreshToken({ ...token, revoked: true });
    await ctx.store.revokeOrigin(token.originJti);
  }
  await ctx.store.delete(user.username);
  return {};
}

/** ListUsers' `Filter`: `attribute = "value"` or `attribute ^= "prefix"`. */
function parseFilter(filter: unknown): ((user: UserRecord) => boolean) | undefined {
  if (typeof filter !== 'string' || filter.trim() === '') return undefined;
  const match = /^\s*([\w:]+)\s*(\^?=)\s*"([^"]*)"\s*$/.exec(filter);
  if (!match) throw invalidParameter('Error while parsing filter.');
  const [, name = '', operator, value = ''] = match;
  const valueOf = (user: UserRecord): string | undefined =>
    name === 'username' ? user.username : name === 'sub' ? user.sub : name === 'status' ? (user.enabled ? 'Enabled' : 'Disabled') : name === 'cognito:user_status' ? user.status : user.attributes[name];
  return (user) => {
    const actual = valueOf(user);
    return actual !== undefined && (operator === '=' ? actual === value : actual.startsWith(value));
  };
}

export async function listUsers(ctx: PoolContext, body: Body): Promise<Body> {
  checkPool(ctx, body);
  const filter = parseFilter(body['Filter']);
  const limit = typeof body['Limit'] === 'number' ? body['Limit'] : 60;
  if (limit < 0 || limit > 60) throw invalidParameter("1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60");
  const start = typeof body['PaginationToken'] === 'string' ? Number(body['PaginationToken']) : 0;
  const matching = ctx.store
    .all()
    .filter((user) => filter === undefined || filter(user))
    .sort((a, b) => a.createdAt - b.createdAt || a.username.localeCompare(b.username));
  const page = matching.slice(start, start + limit);
  return {
    Users: page.map(userShape),
    ...(start + limit < matching.length ? { PaginationToken: String(start + limit) } : {}),
  };
}
