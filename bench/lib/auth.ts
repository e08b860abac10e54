/** Credentials the bench presents: user-pool tokens from the local issuer, and SigV4 for IAM. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type IamCredentials, signAppSyncRequest } from '../../client/sign-request.js';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import { CACHE_DIR } from './paths.js';

export interface IssuerSettings {
  readonly stateDir: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
}

/** A user-pool ID token signed by the issuer of a local stack (as test/support/target.ts does). */
export async function userPoolToken(settings: IssuerSettings, username: string): Promise<{ token: string; sub: string }> {
  const issuer = await createLocalIssuer({
    stateDir: settings.stateDir,
    region: settings.region,
    userPoolId: settings.userPoolId,
    clientId: settings.userPoolClientId,
  });
  const { idToken } = await issuer.issueTokens({ username });
  return { token: idToken, sub: subOf(idToken) };
}

/** A Cognito-shaped token for targets that decode tokens without verifying them (the simulator). */
export async function unverifiedUserPoolToken(username: string): Promise<{ token: string; sub: string }> {
  const stateDir = join(CACHE_DIR, 'issuer');
  await mkdir(stateDir, { recursive: true });
  return userPoolToken({ stateDir, region: 'us-east-1', userPoolId: 'us-east-1_BENCH0000', userPoolClientId: 'benchclient' }, username);
}

export function subOf(token: string): string {
  const [, payload] = token.split('.');
  const { sub } = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
  if (typeof sub !== 'string') throw new Error('token without sub');
  return sub;
}

export type { IamCredentials };

/** The headers of a SigV4-signed AppSync POST of `body` to `url` (what AppSync's IAM mode checks). */
export const signedHeaders = (url: string, body: string, credentials: IamCredentials): Promise<Record<string, string>> =>
  signAppSyncRequest(url, body, credentials);
