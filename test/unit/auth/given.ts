/** Test factories for the auth unit tests: state dirs, issuers, signed requests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AuthMode, AuthRequest } from '../../../local/contracts.js';
import type { AuthenticatorConfig, IamCredentialConfig } from '../../../local/auth/authenticator.js';
import { createLocalIssuer, type LocalIssuer } from '../../../local/auth/local-issuer.js';

export const REGION = 'us-east-1';
export const USER_POOL_ID = 'local_testpool';
export const CLIENT_ID = 'localclient123';
export const API_HOST = 'localhost:4000';
export const SOURCE_IP = '127.0.0.1';

const dirs: string[] = [];

export const aStateDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'auth-test-'));
  dirs.push(dir);
  return dir;
};

export const removeStateDirs = async (): Promise<void> => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
};

export const anIssuer = async (
  overrides: Partial<{ stateDir: string; userPoolId: string; clientId: string; region: string }> = {},
): Promise<LocalIssuer> =>
  createLocalIssuer({
    stateDir: overrides.stateDir ?? (await aStateDir()),
    region: overrides.region ?? REGION,
    userPoolId: overrides.userPoolId ?? USER_POOL_ID,
    clientId: overrides.clientId ?? CLIENT_ID,
  });

export const anIamCredential: IamCredentialConfig = {
  accessKeyId: 'AKIDLOCALTEST0000001',
  secretAccessKey: 'local-secret-key/abcdefghijklmnopqrstu',
  identity: {
    accountId: '123456789012',
    userArn: 'arn:aws:iam::123456789012:user/local-backend',
    username: 'AIDALOCALBACKEND00001',
  },
};

export const aConfig = (
  issuer: LocalIssuer | undefined,
  modes: readonly AuthMode[],
  overrides: Partial<AuthenticatorConfig> = {},
): AuthenticatorConfig => {
  const [defaultMode, ...additionalModes] = modes;
  if (defaultMode === undefined) throw new Error('at least one mode');
  return {
    defaultMode,
    additionalModes,
    apiKeys: [
      { id: 'da2-validkey', expires: Math.floor(Date.now() / 1000) + 86_400 },
      { id: 'da2-expiredkey', expires: Math.floor(Date.now() / 1000) - 60 },
    ],
    ...(issuer !== undefined
      ? { userPool: { userPoolId: issuer.userPoolId, clientIds: [CLIENT_ID], issuer: issuer.issuer, jwks: issuer.jwks } }
      : {}),
    iam: { region: REGION, credentials: [anIamCredential] },
    ...overrides,
  };
};

export const aRequest = (headers: Record<string, string>, body = '{"query":"{ me { id } }"}'): AuthRequest => ({
  method: 'POST',
  path: '/graphql',
  headers: { host: API_HOST, 'content-type': 'application/json', ...headers },
  body,
  sourceIp: SOURCE_IP,
});

/** Signs like an AWS SDK / Amplify client would (pure-JS hash, its own checksum header). */
export const aSignedRequest = async (
  options: Partial<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    region: string;
    service: string;
    signingDate: Date;
    path: string;
    body: string;
    headers: Record<string, string>;
  }> = {},
): Promise<AuthRequest> => {
  const body = options.body ?? '{"query":"mutation { publish(id: \\"1\\") { id } }"}';
  const path = options.path ?? '/graphql';
  const signer = new SignatureV4({
    service: options.service ?? 'appsync',
    region: options.region ?? REGION,
    credentials: {
      accessKeyId: options.accessKeyId ?? anIamCredential.accessKeyId,
      secretAccessKey: options.secretAccessKey ?? anIamCredential.secretAccessKey,
      ...(options.sessionToken !== undefined ? { sessionToken: options.sessionToken } : {}),
    },
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'https:',
      hostname: 'localhost',
      port: 4000,
      path,
      headers: { host: API_HOST, 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body,
    }),
    { signingDate: options.signingDate ?? new Date() },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value);
  return { method: 'POST', path, headers, body, sourceIp: SOURCE_IP };
};
