/**
 * `nextToken` of `orders()` and `products()`: opaque base64url strings carrying the key of the
 * last item of the previous page. A token that does not decode to such a key is a
 * ValidationError; an orders token of another owner is one too (a token is never a way to read
 * someone else's listing).
 */
import { ValidationError } from '../../shared/errors.js';
import type { OrderListKey } from './model.js';

const MAX_TOKEN_LENGTH = 1024;

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decode(token: string, what: string): unknown {
  const invalid = (cause?: unknown) => new ValidationError(`nextToken is not a token returned by ${what}`, { cause });
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalid(error);
  }
}

export const encodeOrdersToken = (key: OrderListKey): string => encode({ o: key.owner, i: key.id, c: key.createdAt });

export function decodeOrdersToken(token: string, caller: string): OrderListKey {
  const parsed = decode(token, 'orders()') as Record<string, unknown> | null;
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    typeof parsed['o'] === 'string' &&
    typeof parsed['i'] === 'string' &&
    typeof parsed['c'] === 'string' &&
    parsed['o'] === caller;
  if (!valid) throw new ValidationError('nextToken is not a token returned by orders()');
  return { owner: parsed['o'] as string, id: parsed['i'] as string, createdAt: parsed['c'] as string };
}

export const encodeProductsToken = (sku: string): string => encode({ s: sku });

export function decodeProductsToken(token: string): string {
  const parsed = decode(token, 'products()') as Record<string, unknown> | null;
  if (typeof parsed !== 'object' || parsed === null || typeof parsed['s'] !== 'string' || parsed['s'] === '') {
    throw new ValidationError('nextToken is not a token returned by products()');
  }
  return parsed['s'];
}
