/**
 * The one `nextToken` format of every listing (`files()`, `orders()`, `products()`,
 * `pendingApprovals()`): an opaque base64url string of `{"of": <listing>, "after": <key>}`, the
 * key of the last item of the previous page. A token that does not decode to a key of its own
 * listing is a ValidationError naming the listing; the listing checks the key itself (a
 * caller's listing refuses another owner's key: a token is never a way to read someone else's).
 */
import { ValidationError } from './errors.js';

const MAX_TOKEN_LENGTH = 1024;

export type PageKey = Readonly<Record<string, string>>;

export function encodePageToken(listing: string, key: PageKey): string {
  return Buffer.from(JSON.stringify({ of: listing, after: key }), 'utf8').toString('base64url');
}

/**
 * The key a token of `listing` carries, as `read` takes it: `read` returns null for a key that
 * is not one of this listing's (or not the caller's).
 */
export function decodePageToken<K>(token: string, listing: string, read: (key: Readonly<Record<string, unknown>>) => K | null): K {
  const invalid = (cause?: unknown) => new ValidationError(`nextToken is not a token returned by ${listing}()`, cause === undefined ? undefined : { cause });
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalid(error);
  }
  const { of, after } = (isObject(parsed) ? parsed : {}) as { of?: unknown; after?: unknown };
  const key = of === listing && isObject(after) ? read(after) : null;
  if (key === null) throw invalid();
  return key;
}

/** The key's attributes when it has exactly `names`, each a non-empty string; null otherwise. */
export function stringKey<N extends string>(key: Readonly<Record<string, unknown>>, names: readonly N[]): Record<N, string> | null {
  const entries = Object.entries(key);
  if (entries.length !== names.length) return null;
  if (!names.every((name) => typeof key[name] === 'string' && key[name] !== '')) return null;
  return Object.fromEntries(names.map((name) => [name, key[name]])) as Record<N, string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
