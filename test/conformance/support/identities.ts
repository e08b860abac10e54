import { randomBytes, randomUUID } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createLocalIssuer } from '../../../local/auth/local-issuer.js';
import { createLocalOidcIssuer } from '../../../local/auth/oidc-issuer.js';
import { target } from './target.js';

/**
 * Tokens for the suite's users. Locally: signed by the stack's own issuers (the user pool's and
 * the OIDC provider's stand-ins). Deployed: real Cognito users, created and signed in with the
 * run's AWS credentials (AdminCreateUser, AdminInitiateAuth), and OIDC tokens from the
 * environment (CONFORMANCE_OIDC_TOKEN), since only you can get those from your provider.
 */

const tokens = new Map<string, Promise<string>>();

/** A user-pool ID token for `username` (a fresh user per name and groups, once per run). */
export function userToken(username: string, groups: readonly string[] = []): Promise<string> {
  const key = `${username}\u0000${groups.join(',')}`;
  let token = tokens.get(key);
  if (!token) {
    token = target().kind === 'local' ? localUserToken(username, groups) : deployedUserToken(username, groups);
    tokens.set(key, token);
  }
  return token;
}

async function localUserToken(username: string, groups: readonly string[]): Promise<string> {
  const t = target();
  if (!t.stateDir) throw new Error('no local state folder');
  const issuer = await createLocalIssuer({ stateDir: t.stateDir, region: t.region, userPoolId: t.userPoolId, clientId: t.userPoolClientId });
  return (await issuer.issueTokens({ username, ...(groups.length > 0 ? { groups: [...groups] } : {}) })).idToken;
}

/** An OIDC token, or undefined when a deployed run has none (the OIDC tests then skip). */
export async function oidcToken(options: { sub?: string; issuedAt?: number } = {}): Promise<string | undefined> {
  const t = target();
  if (t.kind === 'deployed') return process.env['CONFORMANCE_OIDC_TOKEN'] || undefined;
  if (!t.stateDir) throw new Error('no local state folder');
  const issuer = await createLocalOidcIssuer({ stateDir: t.stateDir, issuer: t.oidc.issuer, clientId: t.oidc.clientId });
  return issuer.issueToken({
    sub: options.sub ?? 'oidc-user',
    claims: { email: 'oidc-user@example.com' },
    ...(options.issuedAt !== undefined ? { issuedAt: options.issuedAt, ttlSeconds: Math.floor(Date.now() / 1000) - options.issuedAt + 3600 } : {}),
  });
}

/** The Cognito identity provider API, signed with the run's credentials. */
async function cognito(action: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const t = target();
  const host = `cognito-idp.${t.region}.amazonaws.com`;
  const text = JSON.stringify(body);
  const signer = new SignatureV4({ service: 'cognito-idp', region: t.region, credentials: t.iam, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'https:',
      hostname: host,
      path: '/',
      headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${action}` },
      body: text,
    }),
  );
  const response = await fetch(`https://${host}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body: text });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`Cognito ${action} failed: ${JSON.stringify(json)}`);
  return json;
}

async function deployedUserToken(username: string, groups: readonly string[]): Promise<string> {
  const t = target();
  const name = `conformance-${username}-${randomUUID().slice(0, 8)}`;
  const password = `Aa1!${randomBytes(12).toString('base64url')}`;
  await cognito('AdminCreateUser', { UserPoolId: t.userPoolId, Username: name, MessageAction: 'SUPPRESS' });
  await cognito('AdminSetUserPassword', { UserPoolId: t.userPoolId, Username: name, Password: password, Permanent: true });
  for (const group of groups) await cognito('AdminAddUserToGroup', { UserPoolId: t.userPoolId, Username: name, GroupName: group });
  const auth = await cognito('AdminInitiateAuth', {
    UserPoolId: t.userPoolId,
    ClientId: t.userPoolClientId,
    AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: name, PASSWORD: password },
  });
  const idToken = (auth['AuthenticationResult'] as { IdToken?: string } | undefined)?.IdToken;
  if (!idToken) throw new Error(`Cognito gave no ID token for ${name}`);
  return idToken;
}

/** The claims of a JWT, unverified. */
export function claimsOf(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A Lambda authorizer token of the fixture's form `lambda-<decision>-<ttl>-<nonce>`. */
export const lambdaToken = (decision: 'allow' | 'deny' | 'fields', ttlSeconds = 0) => `lambda-${decision}-${ttlSeconds}-${randomUUID()}`;
