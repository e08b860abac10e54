/**
 * The server half of Cognito's SRP-6a variant (USER_SRP_AUTH), byte for byte as the client half
 * in @aws-amplify/auth (`providers/cognito/utils/srp/`) computes it: the 3072-bit group with
 * g = 2, SHA-256, Java-style padded hex, the pool name (without its region) in the password hash,
 * the "Caldera Derived Key" HKDF and the un-padded day of the TIMESTAMP. Pure: no I/O, no clock.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

const N = BigInt(`0x${N_HEX}`);
const g = 2n;

/** Lower-case hex of a non-negative integer, even length, `00`-prefixed when the top bit is set (Java's toByteArray). */
export const padHex = (value: bigint): string => {
  if (value < 0n) throw new RangeError('SRP values are non-negative');
  let hex = value.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
};

/** SHA-256 of the bytes a hex string encodes, as 64 lower-case hex characters. */
const hashHex = (hex: string): string => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
/** SHA-256 of a string's UTF-8 bytes, as 64 lower-case hex characters. */
const hashUtf8 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export const k = BigInt(`0x${hashHex(`${padHex(N)}${padHex(g)}`)}`);

const modPow = (base: bigint, exponent: bigint, modulus: bigint): bigint => {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    e >>= 1n;
    b = (b * b) % modulus;
  }
  return result;
};

/** The pool name the client hashes: the user-pool id without its `<region>_` prefix. */
export const poolNameOf = (userPoolId: string): string => userPoolId.split('_')[1] ?? userPoolId;

const privateKey = (poolName: string, userId: string, password: string, saltHex: string): bigint => {
  const inner = hashUtf8(`${poolName}${userId}:${password}`);
  return BigInt(`0x${hashHex(`${padHex(BigInt(`0x${saltHex}`))}${inner}`)}`);
};

export interface Verifier {
  /** Hex, as sent in `SALT`. */
  readonly salt: string;
  /** Hex of v = g^x mod N. */
  readonly verifier: string;
}

/** What is stored instead of a password: a fresh salt and v = g^x mod N. */
export const createVerifier = (poolName: string, userId: string, password: string, salt = randomBytes(16).toString('hex')): Verifier => ({
  salt,
  verifier: modPow(g, privateKey(poolName, userId, password, salt), N).toString(16),
});

/** Whether `password` is the one the verifier was made from (USER_PASSWORD_AUTH, ChangePassword). */
export const passwordMatches = (poolName: string, userId: string, password: string, stored: Verifier): boolean => {
  const candidate = Buffer.from(padHex(modPow(g, privateKey(poolName, userId, password, stored.salt), N)), 'hex');
  const expected = Buffer.from(padHex(BigInt(`0x${stored.verifier}`)), 'hex');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
};

export interface ServerChallenge {
  /** Hex of the server's secret exponent: kept with the challenge, never sent. */
  readonly b: string;
  /** Hex of B = k·v + g^b mod N, sent as `SRP_B`. */
  readonly B: string;
}

export const createServerChallenge = (verifierHex: string): ServerChallenge => {
  const v = BigInt(`0x${verifierHex}`);
  for (;;) {
    const b = BigInt(`0x${randomBytes(128).toString('hex')}`);
    const B = (k * v + modPow(g, b, N)) % N;
    if (B !== 0n) return { b: b.toString(16), B: B.toString(16) };
  }
};

/** Parses `SRP_A` (lower-case hex, not padded, possibly odd length); undefined when it is not usable. */
export const parseA = (text: string): bigint | undefined => {
  if (!/^[0-9a-fA-F]{1,2048}$/.test(text)) return undefined;
  const A = BigInt(`0x${text}`);
  return A % N === 0n ? undefined : A;
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (n: number) => String(n).padStart(2, '0');

/** The TIMESTAMP format: `Sun Dec 6 20:59:07 UTC 2026` (the day not padded). */
export const formatTimestamp = (date: Date): string =>
  `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;

/** The instant a TIMESTAMP names, or undefined if it is not exactly in the client's format (a padded day, a wrong weekday). */
export const parseTimestamp = (text: string): Date | undefined => {
  const match = /^(\w{3}) (\w{3}) ([1-9]\d?) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(text);
  if (!match) return undefined;
  const [, , month, day, hh, mm, ss, year] = match;
  const monthIndex = MONTHS.indexOf(month ?? '');
  if (monthIndex < 0) return undefined;
  const date = new Date(Date.UTC(Number(year), monthIndex, Number(day), Number(hh), Number(mm), Number(ss)));
  return formatTimestamp(date) === text ? date : undefined;
};

const decodeSecretBlock = (text: string): Buffer => {
  const padding = '='.repeat((4 - (text.length % 4)) % 4);
  return Buffer.from(`${text}${padding}`.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
};

export interface ClaimInput {
  readonly poolName: string;
  readonly userId: string;
  readonly A: bigint;
  readonly challenge: ServerChallenge;
  readonly verifier: string;
  readonly secretBlock: string;
  readonly timestamp: string;
  /** PASSWORD_CLAIM_SIGNATURE, base64. */
  readonly signature: string;
}

/** The signature a client that knows the password sends for this challenge (base64). */
const expectedSignature = (input: Omit<ClaimInput, 'signature'>): string => {
  const B = BigInt(`0x${input.challenge.B}`);
  const b = BigInt(`0x${input.challenge.b}`);
  const v = BigInt(`0x${input.verifier}`);
  const u = BigInt(`0x${hashHex(`${padHex(input.A)}${padHex(B)}`)}`);
  const S = modPow((input.A * modPow(v, u, N)) % N, b, N);
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex')).update(Buffer.from(padHex(S), 'hex')).digest();
  const key = createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
  return createHmac('sha256', key)
    .update(
      Buffer.concat([
        Buffer.from(input.poolName, 'utf8'),
        Buffer.from(input.userId, 'utf8'),
        decodeSecretBlock(input.secretBlock),
        Buffer.from(input.timestamp, 'utf8'),
      ]),
    )
    .digest('base64');
};

/** Whether the client's PASSWORD_CLAIM_SIGNATURE proves knowledge of the password (constant time). */
export const verifyClaim = (input: ClaimInput): boolean => {
  const expected = Buffer.from(expectedSignature(input), 'base64');
  const given = Buffer.from(input.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
};
