import { describe, expect, it } from 'vitest';
import {
  decodeS3EventKey,
  isKeySafeOwner,
  originalKey,
  parseOriginalKey,
  thumbnailKey,
} from '../../../resolvers/files/domain/keys.js';
import { decodeFilesToken, encodeFilesToken } from '../../../resolvers/files/domain/page-token.js';
import { encodeOrdersToken } from '../../../resolvers/orders/domain/page-token.js';
import { ValidationError } from '../../../resolvers/shared/errors.js';

const ID = '3f2b8c1e-5a6d-4e7f-8a9b-0c1d2e3f4a5b';

describe('object keys', () => {
  it('given an owner and id, when keys are built, then they follow the documented layout', () => {
    expect(originalKey('user-1', ID)).toBe(`uploads/user-1/${ID}`);
    expect(thumbnailKey('user-1', ID)).toBe(`thumbnails/user-1/${ID}/200x200.jpg`);
  });

  it('given an original key, when parsed, then owner and id come back', () => {
    expect(parseOriginalKey(originalKey('user-1', ID))).toEqual({ owner: 'user-1', fileId: ID });
  });

  it.each([
    `thumbnails/user-1/${ID}/200x200.jpg`,
    `uploads/user-1/${ID}/extra`,
    `uploads/${ID}`,
    'uploads/user-1/not-a-uuid',
    `uploads//${ID}`,
    `other/user-1/${ID}`,
  ])('given the key %s, when parsed, then it is not an original', (key) => {
    expect(parseOriginalKey(key)).toBeNull();
  });

  it('given an S3 event key with + and percent escapes, when decoded, then spaces and UTF-8 come back', () => {
    expect(decodeS3EventKey('uploads/a+b/%C3%A9t%C3%A9%2B1')).toBe('uploads/a b/été+1');
  });

  it('given a malformed escape, when decoded, then null', () => {
    expect(decodeS3EventKey('uploads/%E0%A4%A')).toBeNull();
  });

  it('given owners, when checked for keys, then slashes, spaces and overlong ids are refused', () => {
    expect(isKeySafeOwner('7d3f1c2a-1111-4222-8333-444455556666')).toBe(true);
    expect(isKeySafeOwner('a/b')).toBe(false);
    expect(isKeySafeOwner('a b')).toBe(false);
    expect(isKeySafeOwner('x'.repeat(129))).toBe(false);
  });
});

describe('page tokens', () => {
  const key = { id: ID, owner: 'user-1', createdAt: '2025-01-02T03:04:05.678Z' };
  /** A token in the one format (resolvers/shared/page-token.ts) with this listing and key. */
  const tokenOf = (of: unknown, after: unknown) => Buffer.from(JSON.stringify({ of, after })).toString('base64url');

  it('given a list key, when encoded and decoded by its owner, then the same key comes back', () => {
    const token = encodeFilesToken(key);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeFilesToken(token, 'user-1')).toEqual(key);
  });

  it('given a token of another owner, when decoded, then ValidationError (no reading their list)', () => {
    expect(() => decodeFilesToken(encodeFilesToken(key), 'user-2')).toThrow(ValidationError);
  });

  it('given a token of another listing (orders()), when decoded by files(), then the same ValidationError as for garbage', () => {
    expect(() => decodeFilesToken(encodeOrdersToken(key), 'user-1')).toThrow(
      expect.objectContaining({ name: 'ValidationError', message: 'nextToken is not a token returned by files()' }),
    );
  });

  it.each([
    'not base64!',
    Buffer.from('not json').toString('base64url'),
    tokenOf('files', { id: 'x' }),
    tokenOf('files', { ...key, extra: 'x' }),
    tokenOf('files', { ...key, createdAt: 'yesterday' }),
    tokenOf('files', { ...key, id: 7 }),
    tokenOf('files', [1, 2, 3]),
    Buffer.from(JSON.stringify(key)).toString('base64url'),
    Buffer.from('[1,2,3]').toString('base64url'),
    '',
    'A'.repeat(2000),
  ])('given the malformed token %#, when decoded, then ValidationError saying it is not a files() token', (token) => {
    expect(() => decodeFilesToken(token, 'user-1')).toThrow(
      expect.objectContaining({ name: 'ValidationError', message: 'nextToken is not a token returned by files()' }),
    );
  });
});
