/**
 * What users do for themselves: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
 * ConfirmForgotPassword, and with an access token GetUser, UpdateUserAttributes,
 * VerifyUserAttribute, ChangePassword, GlobalSignOut; RevokeToken with a refresh token.
 */
import {
  type Body,
  type PoolContext,
  checkClientSecret,
  checkSecretHash,
  clientOf,
  deliveryDetails,
  newSub,
  optionalText,
  sendCode,
  sha256,
  simulatedIdentity,
  text,
} from './context.js';
import {
  CognitoError,
  aliasExists,
  codeMismatch,
  expiredCode,
  incorrectCredentials,
  invalidParameter,
  notAuthorized,
  userNotFound,
  usernameExists,
} from './errors.js';
import type { UserRecord } from './ports.js';
import { createVerifier, passwordMatches, poolNameOf } from './srp.js';
import { revokeRefreshToken, userOfAccessToken } from './tokens.js';
import { attributeList, checkPassword, deliveryAttribute, findUser, isEmail, newUser, newUsername, parseAttributes, requireAttributes } from './users.js';

const CONFIRM_CODE_SECONDS = 24 * 3600;
const RESET_CODE_SECONDS = 3600;

export async function signUp(ctx: PoolContext, body: Body): Promise<Body> {
  const client = clientOf(ctx, text(body, 'ClientId'));
  const { pool } = ctx;
  if (pool.allowAdminCreateUserOnly) throw notAuthorized('SignUp is not permitted for this user pool');
  const typed = text(body, 'Username');
  checkSecretHash(client, [typed], optionalText(body, 'SecretHash'));
  const password = checkPassword(pool, body['Password']);
  const attributes = parseAttributes(body['UserAttributes']);
  const sub = newSub();
  const username = newUsername(pool, typed, attributes, sub);
  requireAttributes(pool, attributes);
  if (findUser(pool, ctx.store, typed) || (pool.usernameAttributes.length > 0 && findUser(pool, ctx.store, attributes['email'] ?? typed))) {
    throw usernameExists(pool.usernameAttributes.includes('email') ? 'An account with the given email already exists.' : 'User already exists');
  }
  const now = ctx.clock.now();
  let user = newUser({
    username,
    sub,
    attributes: { ...attributes, ...(attributes['email'] ? { email_verified: 'false' } : {}) },
    status: 'UNCONFIRMED',
    verifier: createVerifier(poolNameOf(pool.userPoolId), username, password),
    temporaryPasswordExpiresAt: undefined,
    now,
  });
  const verifies = pool.autoVerifiedAttributes.includes('email') && user.attributes['email'];
  if (verifies) user = await sendCode(ctx, user, 'confirm-sign-up', CONFIRM_CODE_SECONDS);
  else await ctx.store.put(user);
  return {
    UserConfirmed: false,
    UserSub: sub,
    ...(verifies ? { CodeDeliveryDetails: deliveryDetails(user.attributes['email'] ?? '') } : {}),
  };
}

/** The pending code of `purpose`, checked: Cognito's errors for a wrong, expired or missing one. */
function checkCode(ctx: PoolContext, user: UserRecord, purpose: 'confirm-sign-up' | 'reset-password' | 'verify-email', given: string): void {
  const pending = user.code;
  if (!pending || pending.purpose !== purpose) throw expiredCode();
  if (pending.code !== given) throw codeMismatch();
  if (pending.expiresAt < ctx.clock.now()) throw expiredCode();
}

/**
 * The user a ConfirmSignUp or ConfirmForgotPassword names, and the code given. An unknown user
 * gets a wrong-code answer under PreventUserExistenceErrors, so codes cannot probe for accounts.
 */
function codeHolder(ctx: PoolContext, body: Body): { readonly user: UserRecord; readonly code: string } {
  const client = clientOf(ctx, text(body, 'ClientId'));
  const typed = text(body, 'Username');
  const code = text(body, 'ConfirmationCode');
  const user = findUser(ctx.pool, ctx.store, typed);
  if (!user) throw client.preventUserExistenceErrors ? codeMismatch() : userNotFound();
  checkSecretHash(client, [typed, user.username], optionalText(body, 'SecretHash'));
  return { user, code };
}

export async function confirmSignUp(ctx: PoolContext, body: Body): Promise<Body> {
  const { user, code } = codeHolder(ctx, body);
  if (user.status !== 'UNCONFIRMED') throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
  checkCode(ctx, user, 'confirm-sign-up', code);
  await ctx.store.put({
    ...user,
    status: 'CONFIRMED',
    attributes: { ...user.attributes, email_verified: 'true' },
    code: undefined,
    updatedAt: ctx.clock.now(),
  });
  return {};
}

/** What an unknown user's code request answers under PreventUserExistenceErrors: a delivery that looks real and sends nothing. */
const simulatedDelivery = (ctx: PoolContext, typed: string): Body => ({
  CodeDeliveryDetails: deliveryDetails(isEmail(typed) ? typed : `${simulatedIdentity(ctx, typed).userId.slice(0, 8)}@example.com`),
});

export async function resendConfirmationCode(ctx: PoolContext, body: Body): Promise<Body> {
  const client = clientOf(ctx, text(body, 'ClientId'));
  const typed = text(body, 'Username');
  const user = findUser(ctx.pool, ctx.store, typed);
  if (!user) {
    if (!client.preventUserExistenceErrors) throw userNotFound();
    return simulatedDelivery(ctx, typed);
  }
  checkSecretHash(client, [typed, user.username], optionalText(body, 'SecretHash'));
  if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
  if (!deliveryAttribute(user, false)) throw invalidParameter('Auto verification not turned on.');
  await sendCode(ctx, user, 'confirm-sign-up', CONFIRM_CODE_SECONDS);
  return { CodeDeliveryDetails: deliveryDetails(user.attributes['email'] ?? '') };
}

export async function forgotPassword(ctx: PoolContext, body: Body): Promise<Body> {
  const client = clientOf(ctx, text(body, 'ClientId'));
  const typed = text(body, 'Username');
  const user = findUser(ctx.pool, ctx.store, typed);
  if (!user || !user.enabled) {
    if (!client.preventUserExistenceErrors) throw user ? notAuthorized('User is disabled.') : userNotFound();
    return simulatedDelivery(ctx, typed);
  }
  checkSecretHash(client, [typed, user.username], optionalText(body, 'SecretHash'));
  if (!deliveryAttribute(user, true)) {
    throw invalidParameter('Cannot reset password for the user as there is no registered/verified email or phone_number');
  }
  await sendCode(ctx, user, 'reset-password', RESET_CODE_SECONDS);
  return { CodeDeliveryDetails: deliveryDetails(user.attributes['email'] ?? '') };
}

export async function confirmForgotPassword(ctx: PoolContext, body: Body): Promise<Body> {
  const { user, code } = codeHolder(ctx, body);
  const password = checkPassword(ctx.pool, body['Password']);
  checkCode(ctx, user, 'reset-password', code);
  await ctx.store.put({
    ...user,
    status: 'CONFIRMED',
    verifier: createVerifier(poolNameOf(ctx.pool.userPoolId), user.username, password),
    code: undefined,
    failedSignIns: 0,
    lockedUntil: 0,
    updatedAt: ctx.clock.now(),
  });
  return {};
}

export async function getUser(ctx: PoolContext, body: Body): Promise<Body> {
  const user = await userOfAccessToken(ctx, body['AccessToken']);
  return { Username: user.username, UserAttributes: attributeList(user) };
}

export async function updateUserAttributes(ctx: PoolContext, body: Body): Promise<Body> {
  const user = await userOfAccessToken(ctx, body['AccessToken']);
  const given = parseAttributes(body['UserAttributes']);
  let updated: UserRecord = { ...user, attributes: { ...user.attributes, ...given }, updatedAt: ctx.clock.now() };
  const emailChanged = given['email'] !== undefined && given['email'] !== user.attributes['email'];
  if (emailChanged && ctx.pool.usernameAttributes.includes('email') && findUser(ctx.pool, ctx.store, given['email'] ?? '')) {
    throw aliasExists();
  }
  if (emailChanged) {
    updated = { ...updated, attributes: { ...updated.attributes, email_verified: 'false' } };
    if (ctx.pool.autoVerifiedAttributes.includes('email')) {
      await sendCode(ctx, updated, 'verify-email', CONFIRM_CODE_SECONDS);
      return { CodeDeliveryDetailsList: [deliveryDetails(updated.attributes['email'] ?? '')] };
    }
  }
  await ctx.store.put(updated);
  return { CodeDeliveryDetailsList: [] };
}

export async function verifyUserAttribute(ctx: PoolContext, body: Body): Promise<Body> {
  const user = await userOfAccessToken(ctx, body['AccessToken']);
  const attribute = text(body, 'AttributeName');
  if (attribute !== 'email') throw invalidParameter(`Verification of ${attribute} is not supported locally (no SMS).`);
  checkCode(ctx, user, 'verify-email', text(body, 'Code'));
  await ctx.store.put({ ...user, attributes: { ...user.attributes, email_verified: 'true' }, code: undefined, updatedAt: ctx.clock.now() });
  return {};
}

export async function changePassword(ctx: PoolContext, body: Body): Promise<Body> {
  const user = await userOfAccessToken(ctx, body['AccessToken']);
  const previous = text(body, 'PreviousPassword');
  const proposed = checkPassword(ctx.pool, body['ProposedPassword'], 'proposedPassword');
  const poolName = poolNameOf(ctx.pool.userPoolId);
  if (!passwordMatches(poolName, user.username, previous, user.verifier)) throw incorrectCredentials();
  await ctx.store.put({ ...user, verifier: createVerifier(poolName, user.username, proposed), updatedAt: ctx.clock.now() });
  return {};
}

export async function globalSignOut(ctx: PoolContext, body: Body): Promise<Body> {
  const user = await userOfAccessToken(ctx, body['AccessToken']);
  for (const token of ctx.store.refreshTokensOf(user.username)) {
    if (!token.revoked) await revokeRefreshToken(ctx, token);
  }
  return {};
}

export async function revokeToken(ctx: PoolContext, body: Body): Promise<Body> {
  const client = clientOf(ctx, text(body, 'ClientId'));
  const token = text(body, 'Token');
  checkClientSecret(client, optionalText(body, 'ClientSecret'), () => new CognitoError('UnauthorizedException', `Unable to verify secret for client ${client.clientId}`));
  if (!client.enableTokenRevocation) throw new CognitoError('UnsupportedOperationException', 'Token revocation is not enabled for this client.');
  if (token.split('.').length === 3) throw new CognitoError('UnsupportedTokenTypeException', 'Only refresh tokens can be revoked.');
  const found = ctx.store.refreshToken(sha256(token));
  // An unknown or already revoked token is answered like a revoked one (RFC 7009 style): 200.
  if (found && found.clientId !== client.clientId) throw new CognitoError('UnauthorizedException', 'The token was issued to another client.');
  if (found && !found.revoked) await revokeRefreshToken(ctx, found);
  return {};
}
