/**
 * `files(nextToken)`: an opaque base64url string. It carries the key of the last item of the
 * previous page; a token that does not decode to such a key, or whose owner is not the
 * caller, is a ValidationError (a token is never a way to read someone else's listing).
 */
import { ValidationError } from '../../shared/errors.js';
import type { FileListKey } from './model.js';

const MAX_TOKEN_LENGTH = 1024;

export function encodePageToken(key: FileListKey): string {
  const payload = { id: key.id, owner: key.owner, createdAt: key.createdAt };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodePageToken(token: string, caller: string): FileListKey {
  const invalid = (cause?: unknown) =>
    new ValidationError('nextToken is not a token returned by files()', { cause });
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw invalid();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalid(error);
  }
  if (!isListKey(parsed)) throw invalid();
  if (parsed.owner !== caller) throw invalid();
  return { id: parsed.id, owner: parsed.owner, createdAt: parsed.createdAt };
}

function isListKey(value: unknown): value is FileListKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return (
    Object.keys(record).length === 3 &&
    typeof record['id'] === 'string' &&
    typeof record['owner'] === 'string' &&
    typeof record['createdAt'] === 'string' &&
    record['id'].length > 0 &&
    record['owner'].length > 0 &&
    !Number.isNaN(Date.parse(record['createdAt']))
  );
}
