import { createHmac } from 'node:crypto';
import { SignJWT, createLocalJWKSet, decodeJwt, errors, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import type { CfnTemplate } from '../../../local/cdk/template.js';
import type { Body, PoolContext } from '../../../local/cognito/context.js';
import { readPoolConfigs } from '../../../local/cognito/pool-config.js';
import type { MailMessage, RefreshTokenRecord, TokenSigner, UserRecord, UserStore } from '../../../local/cognito/ports.js';
import { OPERATIONS, createPoolContext } from '../../../local/cognito/service.js';

export const POOL_ID = 'us-east-1_TestPool1';
export const CLIENT_ID = 'testclient0000000000000001';
export const SECRET = 'the-client-secret';
export const PASSWORD = 'Correct-horse-9battery';

/** A template with one pool (e-mail as username unless `usernameAttributes` says otherwise) and one client. */
export function aTemplate(options: { client?: Record<string, unknown>; pool?: Record<string, unknown> } = {}): CfnTemplate {
  return {
    Resources: {
      Pool: {
        Type: 'AWS::Cognito::UserPool',
        Properties: {
          UsernameAttributes: ['email'],
          AutoVerifiedAttributes: ['email'],
          Schema: [{ Name: 'email', Required: true, Mutable: true }],
          Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 3 } },
          ...options.pool,
        },
      },
      Client: {
        Type: 'AWS::Cognito::UserPoolClient',
        Properties: {
          UserPoolId: { Ref: 'Pool' },
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          PreventUserExistenceErrors: 'ENABLED',
          ...options.client,
        },
      },
      Approvers: { Type: 'AWS::Cognito::UserPoolGroup', Properties: { UserPoolId: { Ref: 'Pool' }, GroupName: 'approvers' } },
    },
  } as unknown as CfnTemplate;
}

export class MemoryStore implements UserStore {
  readonly users = new Map<string, UserRecord>();
  readonly tokens = new Map<string, RefreshTokenRecord>();
  readonly revoked = new Set<string>();
  get = (username: string) => this.users.get(username);
  all = () => [...this.users.values()];
  put = async (user: UserRecord) => void this.users.set(user.username, user);
  delete = async (username: string) => void this.users.delete(username);
  refreshToken = (hash: string) => this.tokens.get(hash);
  refreshTokensOf = (username: string) => [...this.tokens.values()].filter((t) => t.username === username);
  putRefreshToken = async (record: RefreshTokenRecord) => void this.tokens.set(record.hash, record);
  isOriginRevoked = (origin: string) => this.revoked.has(origin);
  revokeOrigin = async (origin: string) => void this.revoked.add(origin);
}

async function aSigner(): Promise<TokenSigner> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  const keys = createLocalJWKSet({ keys: [jwk] });
  const issuer = `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`;
  return {
    issuer,
    sign: (claims, ttl, iat) => new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setIssuedAt(iat).setExpirationTime(iat + ttl).sign(privateKey),
    async verify(token) {
      try {
        return { claims: (await jwtVerify(token, keys, { issuer })).payload, expired: false };
      } catch (error) {
        return error instanceof errors.JWTExpired ? { claims: decodeJwt(token), expired: true } : undefined;
      }
    },
  };
}

export interface Given {
  readonly ctx: PoolContext;
  readonly store: MemoryStore;
  readonly mail: MailMessage[];
  readonly clock: { ms: number; now(): number };
  call(operation: string, body: Body): Promise<Body>;
  /** The operation's error as `{type, message}`. */
  failure(operation: string, body: Body): Promise<{ type: string; message: string }>;
  lastCode(to: string): string;
}

export async function aPool(template: CfnTemplate = aTemplate()): Promise<Given> {
  const [pool] = readPoolConfigs(template, () => ({ userPoolId: POOL_ID, clientId: () => CLIENT_ID, clientSecret: () => SECRET }));
  if (!pool) throw new Error('no pool');
  const store = new MemoryStore();
  const mail: MailMessage[] = [];
  const clock = {
    ms: Date.UTC(2026, 11, 6, 12, 0, 0),
    now() {
      return this.ms;
    },
  };
  const ctx = createPoolContext(pool, { store, clock, signer: await aSigner(), mailbox: { send: async (m) => void mail.push(m) } });
  const call = (operation: string, body: Body) => {
    const op = OPERATIONS[operation];
    if (!op) throw new Error(`no ${operation}`);
    return op.run(ctx, body);
  };
  return {
    ctx,
    store,
    mail,
    clock,
    call,
    async failure(operation, body) {
      try {
        await call(operation, body);
      } catch (error) {
        const e = error as { type?: string; message: string };
        return { type: e.type ?? 'not a CognitoError', message: e.message };
      }
      throw new Error(`${operation} succeeded`);
    },
    lastCode(to) {
      const found = mail.filter((m) => m.to === to).at(-1);
      if (!found) throw new Error(`no mail to ${to}`);
      return found.code;
    },
  };
}

export const secretHash = (username: string) => createHmac('sha256', SECRET).update(`${username}${CLIENT_ID}`).digest('base64');

/** Signs up and confirms `email`; returns the user's internal username (the sub). */
export async function aConfirmedUser(given: Given, email: string, extra: Body = {}): Promise<string> {
  const result = await given.call('SignUp', { ClientId: CLIENT_ID, Username: email, Password: PASSWORD, ...extra });
  await given.call('ConfirmSignUp', { ClientId: CLIENT_ID, Username: email, ConfirmationCode: given.lastCode(email), ...extra });
  return String(result['UserSub']);
}
