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

