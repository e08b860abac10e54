import { randomBytes } from 'node:crypto';

const KSUID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A KSUID: 4 bytes of seconds since 2014-05-13 and 16 random bytes, base62, 27 characters. */
export function ksuid(): string {
  const bytes = Buffer.concat([Buffer.alloc(4), randomBytes(16)]);
  bytes.writeUInt32BE(Math.floor(Date.now() / 1000) - 1_400_000_000, 0);
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let text = '';
  while (value > 0n) {
    text = KSUID_ALPHABET[Number(value % 62n)] + text;
    value /= 62n;
  }
  return text.padStart(27, '0');
}


/** AppSync's names of the request's auth mode, told from the identity resolvers see. */
export function authTypeOf(identity: unknown): string {
  if (identity === null || identity === undefined) return 'API Key Authorization';
  const id = identity as Record<string, unknown>;
  if ('resolverContext' in id) return 'Lambda Authorization';
  if ('userArn' in id || 'accountId' in id) return 'IAM Authorization';
  if ('username' in id && 'claims' in id) return 'User Pool Authorization';
  return 'Open ID Connect Authorization';
}

