/**
 * The Cognito Identity Provider core: one pool's operations by name, each either public
 * (identified by ClientId or a token in the body) or administrative (IAM-signed). Knows only the
 * ports (user store, mailbox, clock, signer); the HTTP adapter and the files are elsewhere.
 */
import * as admin from './admin.js';
import { getTokensFromRefreshToken, initiateAuth, respondToAuthChallenge } from './auth-flows.js';
import type { Body, ChallengeSession, PoolContext } from './context.js';
import type { PoolConfig } from './pool-config.js';
import type { Clock, Mailbox, TokenSigner, UserStore } from './ports.js';
import * as self from './self-service.js';

export interface Operation {
  /** Administrative operations need an IAM (SigV4) signature. */
  readonly iam: boolean;
  run(ctx: PoolContext, body: Body): Promise<Body>;
}

const open = (run: Operation['run']): Operation => ({ iam: false, run });
const signed = (run: Operation['run']): Operation => ({ iam: true, run });

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  SignUp: open(self.signUp),
  ConfirmSignUp: open(self.confirmSignUp),
  ResendConfirmationCode: open(self.resendConfirmationCode),
  ForgotPassword: open(self.forgotPassword),
  ConfirmForgotPassword: open(self.confirmForgotPassword),
  InitiateAuth: open(initiateAuth),
  RespondToAuthChallenge: open(respondToAuthChallenge),
  GetTokensFromRefreshToken: open(getTokensFromRefreshToken),
  GetUser: open(self.getUser),
  UpdateUserAttributes: open(self.updateUserAttributes),
  VerifyUserAttribute: open(self.verifyUserAttribute),
  ChangePassword: open(self.changePassword),
  GlobalSignOut: open(self.globalSignOut),
  RevokeToken: open(self.revokeToken),
  AdminCreateUser: signed(admin.adminCreateUser),
  AdminConfirmSignUp: signed(admin.adminConfirmSignUp),
  AdminSetUserPassword: signed(admin.adminSetUserPassword),
  AdminAddUserToGroup: signed(admin.adminAddUserToGroup),
  AdminRemoveUserFromGroup: signed(admin.adminRemoveUserFromGroup),
  AdminListGroupsForUser: signed(admin.adminListGroupsForUser),
  AdminGetUser: signed(admin.adminGetUser),
  AdminDeleteUser: signed(admin.adminDeleteUser),
  ListUsers: signed(admin.listUsers),
  DescribeUserPoolClient: signed(admin.describeUserPoolClient),
};

export interface PoolPorts {
  readonly store: UserStore;
  readonly mailbox: Mailbox;
  readonly clock: Clock;
  readonly signer: TokenSigner;
}

/** Cognito's default wording when the template sets none. */
const DEFAULT_MESSAGES = {
  verifySubject: 'Your verification code',
  verifyBody: 'Your verification code is {####}. ',
  inviteSubject: 'Your temporary password',
  inviteBody: 'Your username is {username} and temporary password is {####}. ',
};

export function createPoolContext(pool: PoolConfig, ports: PoolPorts): PoolContext {
  return {
    pool,
    ...ports,
    sessions: new Map<string, ChallengeSession>(),
    messages: { ...DEFAULT_MESSAGES, ...pool.messages },
  };
}

/** Drops challenge sessions that can no longer be answered. */
export function sweepSessions(ctx: PoolContext): void {
  const now = ctx.clock.now();
  for (const [key, session] of ctx.sessions) if (session.expiresAt < now) ctx.sessions.delete(key);
}
