import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import {
  COGNITO_KEYS_FILE,
  cognitoIssuerUrl,
  loadOrCreateSigningKey,
  stableSub,
} from '../../../local/auth/local-issuer.js';
import { aStateDir, anIssuer, CLIENT_ID, REGION, removeStateDirs, USER_POOL_ID } from './given.js';

afterAll(removeStateDirs);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('given a local issuer', () => {
  it('when it issues tokens, then both verify against its JWKS with Cognito claims', async () => {
    const issuer = await anIssuer();
    const { idToken, accessToken, expiresIn } = await issuer.issueTokens({
      username: 'alice',
      groups: ['admin', 'staff'],
      email: 'alice@example.com',
    });
    const keys = createLocalJWKSet(issuer.jwks);

    const id = await jwtVerify(idToken, keys, { issuer: cognitoIssuerUrl(REGION, USER_POOL_ID), audience: CLIENT_ID });
    const access = await jwtVerify(accessToken, keys, { issuer: issuer.issuer });

    expect(expiresIn).toBe(3600);
    expect(id.protectedHeader).toMatchObject({ alg: 'RS256', kid: issuer.jwks.keys[0]?.kid });
    expect(id.payload).toMatchObject({
      'cognito:username': 'alice',
      'cognito:groups': ['admin', 'staff'],
      email: 'alice@example.com',
      token_use: 'id',
      aud: CLIENT_ID,
      iss: `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`,
    });
    expect(id.payload.sub).toMatch(UUID);
    expect((id.payload.exp ?? 0) - (id.payload.iat ?? 0)).toBe(3600);
    expect(id.payload['auth_time']).toBe(id.payload.iat);
    expect(access.payload).toMatchObject({
      sub: id.payload.sub,
      username: 'alice',
      client_id: CLIENT_ID,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      'cognito:groups': ['admin', 'staff'],
    });
    expect(access.payload.aud).toBeUndefined();
  });

  it('when no groups or email are given, then those claims are absent', async () => {
    const issuer = await anIssuer();
    const { idToken } = await issuer.issueTokens({ username: 'bob' });
    const { payload } = await jwtVerify(idToken, createLocalJWKSet(issuer.jwks));
    expect(payload['cognito:groups']).toBeUndefined();
    expect(payload['email']).toBeUndefined();
  });

  it('when the JWKS is read, then it holds only public key material', async () => {
    const issuer = await anIssuer();
    const [key] = issuer.jwks.keys;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
    expect(key).not.toHaveProperty('p');
  });
});

describe('given the same pool and username', () => {
  it('when two issuers with different keys issue tokens, then the sub is the same', async () => {
    const first = await anIssuer();
    const second = await anIssuer();
    const a = await first.issueTokens({ username: 'carol' });
    const b = await second.issueTokens({ username: 'carol' });
    const subOf = async (token: string, jwks: typeof first.jwks) =>
      (await jwtVerify(token, createLocalJWKSet(jwks))).payload.sub;

    expect(first.jwks.keys[0]?.kid).not.toBe(second.jwks.keys[0]?.kid);
    expect(await subOf(a.idToken, first.jwks)).toBe(await subOf(b.idToken, second.jwks));
    expect(await subOf(a.idToken, first.jwks)).toBe(stableSub(USER_POOL_ID, 'carol'));
  });

  it('when the username or pool differs, then the sub differs', () => {
    expect(stableSub(USER_POOL_ID, 'carol')).not.toBe(stableSub(USER_POOL_ID, 'dave'));
    expect(stableSub(USER_POOL_ID, 'carol')).not.toBe(stableSub('local_other', 'carol'));
    expect(stableSub('x', 'y')).toMatch(UUID);
  });
});

describe('given a state directory', () => {
  it('when the key is loaded twice, then it is persisted once and reused', async () => {
    const stateDir = await aStateDir();
    const first = await anIssuer({ stateDir });
    const stored = await readFile(join(stateDir, COGNITO_KEYS_FILE), 'utf8');
    const second = await anIssuer({ stateDir });

    expect(second.jwks).toEqual(first.jwks);
    expect(await readFile(join(stateDir, COGNITO_KEYS_FILE), 'utf8')).toBe(stored);
    const { idToken } = await second.issueTokens({ username: 'erin' });
    await expect(jwtVerify(idToken, createLocalJWKSet(first.jwks))).resolves.toBeDefined();
    expect(decodeProtectedHeader(idToken).kid).toBe(first.jwks.keys[0]?.kid);
  });

  it('when two processes create the key at once, then both end up with the same key', async () => {
    const stateDir = await aStateDir();
    const [a, b] = await Promise.all([loadOrCreateSigningKey(stateDir), loadOrCreateSigningKey(stateDir)]);
    expect(a.kid).toBe(b.kid);
  });
});
