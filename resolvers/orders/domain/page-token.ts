/**
 * `nextToken` of `orders()`, `pendingApprovals()` and `products()`, in the one token format
 * (resolvers/shared/page-token.ts): the key of the last item of the previous page. A token that
 * does not decode to such a key is a ValidationError; an orders token of another owner is one
 * too (a token is never a way to read someone else's listing).
 */
import { decodePageToken, encodePageToken, stringKey } from '../../shared/page-token.js';
import type { OrderListKey } from './model.js';

export const encodeOrdersToken = (key: OrderListKey): string => encodePageToken('orders', { id: key.id, owner: key.owner, createdAt: key.createdAt });

export function decodeOrdersToken(token: string, caller: string): OrderListKey {
  return decodePageToken(token, 'orders', (after) => {
    const key = stringKey(after, ['id', 'owner', 'createdAt']);
    return key?.owner === caller ? key : null;
  });
}

export const encodeProductsToken = (sku: string): string => encodePageToken('products', { sku });

export const decodeProductsToken = (token: string): string => decodePageToken(token, 'products', (after) => stringKey(after, ['sku'])?.sku ?? null);
