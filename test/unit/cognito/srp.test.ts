import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type * as AmplifySrp from '../../../node_modules/@aws-amplify/auth/dist/esm/providers/cognito/utils/srp/index.js';
import type { AuthBigInteger } from '../../../node_modules/@aws-amplify/auth/dist/esm/providers/cognito/utils/srp/BigInteger/types.js';
import {
  createServerChallenge,
  createVerifier,
  formatTimestamp,
  k,
  padHex,
  parseA,
  parseTimestamp,
  passwordMatches,
  verifyClaim,
} from '../../../local/cognito/srp.js';

// Amplify's own client half of Cognito's SRP, exactly as `signIn` runs it (internal modules, so
// loaded by file; the package's exports do not list them).
const SRP_DIR = new URL('../../../node_modules/@aws-amplify/auth/dist/esm/providers/cognito/utils/srp/', import.meta.url);
const { getAuthenticationHelper, getNowString, getSignatureString } = (await import(new URL('index.mjs', SRP_DIR).href)) as typeof AmplifySrp;
const BigInteger = ((await import(new URL('BigInteger/BigInteger.mjs', SRP_DIR).href)) as { default: new (value: string, radix: number) => AuthBigInteger }).default;

const POOL_NAME = 'Ab3dE5fG7';
const USER_ID = '0f6d2b4e-8c1a-4f3b-9e7d-5a6b7c8d9e0f';
const PASSWORD = 'Correct-horse-9battery';

/** One full exchange: Amplify's client computes the claim from `clientPassword`; our server checks it. */
async function exchange(clientPassword: string, options: { timestamp?: string; userId?: string } = {}) {
  const stored = createVerifier(POOL_NAME, USER_ID, PASSWORD);
  const helper = await getAuthenticationHelper(POOL_NAME);
  const srpA = helper.A.toString(16);
  const A = parseA(srpA);
  if (A === undefined) throw new Error('client A unusable');
  const challenge = createServerChallenge(stored.verifier);
  const secretBlock = randomBytes(64).toString('base64');
  const hkdf = await helper.getPasswordAuthenticationKey({
    username: USER_ID,
    password: clientPassword,
    serverBValue: new BigInteger(challenge.B, 16),
    salt: new BigInteger(stored.salt, 16),
  });
  const timestamp = options.timestamp ?? getNowString();
  const signature = getSignatureString({
    userPoolName: POOL_NAME,
    username: USER_ID,
    challengeParameters: { SECRET_BLOCK: secretBlock },
    dateNow: timestamp,
    hkdf,
  });
  return verifyClaim({
    poolName: POOL_NAME,
    userId: options.userId ?? USER_ID,
    A,
    challenge,
    verifier: stored.verifier,
    secretBlock,
    timestamp,
    signature,
  });
}

describe("given Amplify's client SRP helpers and our server half", () => {
  it('when the client knows the password, then the claim verifies (five fresh exchanges)', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => exchange(PASSWORD)));
    expect(results.filter(Boolean)).toHaveLength(5);
  });

  it('when the client uses a wrong password, then the claim fails', async () => {
    expect(await exchange('Wrong-horse-9battery')).toBe(false);
  });

  it('when the claim is checked for another user id, then it fails', async () => {
    expect(await exchange(PASSWORD, { userId: 'someone-else' })).toBe(false);
  });

  it("when k is derived, then it equals Amplify's (H(padHex(N) || padHex(g))) constant", () => {
    expect(k.toString(16)).toBe('538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6');
  });
});

describe('given the helpers around the exchange', () => {
  it('when a value has its top bit set, then padHex prefixes 00 as Java does', () => {
    expect(padHex(0xecn)).toBe('00ec');
    expect(padHex(0x14n)).toBe('14');
    expect(padHex(0x123n)).toBe('0123');
  });

  it("when a timestamp is formatted, then it matches Amplify's getNowString format (day not padded)", () => {
    expect(formatTimestamp(new Date(Date.UTC(2026, 11, 6, 20, 59, 7)))).toBe('Sun Dec 6 20:59:07 UTC 2026');
    expect(parseTimestamp(getNowString())).toBeInstanceOf(Date);
  });

  it('when a timestamp has a padded day or a wrong weekday, then it is refused', () => {
    expect(parseTimestamp('Sun Dec 06 20:59:07 UTC 2026')).toBeUndefined();
    expect(parseTimestamp('Mon Dec 6 20:59:07 UTC 2026')).toBeUndefined();
  });

  it('when SRP_A is zero mod N or not hex, then it is refused', () => {
    expect(parseA('0')).toBeUndefined();
    expect(parseA('xyz')).toBeUndefined();
  });

  it('when a password is checked against its verifier, then only that password matches', () => {
    const stored = createVerifier(POOL_NAME, USER_ID, PASSWORD);
    expect(passwordMatches(POOL_NAME, USER_ID, PASSWORD, stored)).toBe(true);
    expect(passwordMatches(POOL_NAME, USER_ID, `${PASSWORD}x`, stored)).toBe(false);
  });
});
