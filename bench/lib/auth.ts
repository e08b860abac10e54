/** Credentials the bench presents: user-pool tokens from the local issuer, and SigV4 for IAM. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import { NodeSha256 } from '../../local/auth/node-sha256.js';
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

export interface IamCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** The headers of a SigV4-signed AppSync POST of `body` to `url` (what AppSync's IAM mode checks). */
export async function signedHeaders(url: string, body: string, credentials: IamCredentials): Promise<Record<string, string>> {
  const { host, pathname } = new URL(url);
  const signer = new SignatureV4({
    service: 'appsync',
    region: credentials.region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: host,
      path: pathname,
      headers: { host, 'content-type': 'application/json; charset=UTF-8' },
      body,
    }),
  );
  return signed.headers as Record<string, string>;
}
