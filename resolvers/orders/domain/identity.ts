/**
 * An order's id is derived from its owner and the client's token, so that every retry of
 * `placeOrder` (sequential or concurrent, from any instance) names the same order, and the
 * conditional write that creates it lets exactly one of them win. The same id names the
 * order's execution, which Step Functions keeps unique for a standard state machine.
 */
import { createHash } from 'node:crypto';
import type { RequestedLine } from './validation.js';

const ID_NAMESPACE = 'orders/v1';

/** A UUID-shaped id (version 8: application-defined) from SHA-256 of owner and client token. */
export function orderIdFor(owner: string, clientToken: string): string {
  const hash = createHash('sha256').update(`${ID_NAMESPACE}\u0000${owner}\u0000${clientToken}`).digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isOrderId = (value: string): boolean => ORDER_ID.test(value);

/** What a request asked for, independent of line order: a retry must ask the same. */
export function requestFingerprint(lines: readonly RequestedLine[], paymentToken: string): string {
  const canonical = [...lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0)).map((l) => [l.sku, l.quantity]);
  return createHash('sha256').update(JSON.stringify({ lines: canonical, paymentToken })).digest('base64url');
}
