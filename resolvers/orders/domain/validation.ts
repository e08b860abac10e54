/**
 * Validation of the orders API's input. Each failure names the field and the rule; every
 * problem of one request is reported together.
 */
import type { PlaceOrderInput } from '../../generated/graphql.js';
import { ValidationError } from '../../shared/errors.js';

/** One transaction reserves the whole order: DynamoDB allows 100 items per transaction. */
export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 100;
export const MAX_CLIENT_TOKEN_LENGTH = 64;
export const MAX_PAYMENT_TOKEN_LENGTH = 128;
export const MAX_SKU_LENGTH = 64;

const CLIENT_TOKEN = /^[A-Za-z0-9_-]+$/;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface RequestedLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface ValidPlaceOrder {
  readonly lines: readonly RequestedLine[];
  readonly paymentToken: string;
  readonly clientToken: string;
}

export function validatePlaceOrder(input: PlaceOrderInput): ValidPlaceOrder {
  const problems: string[] = [];
  const items: readonly unknown[] = Array.isArray(input.items) ? input.items : [];

  if (items.length === 0) {
    problems.push('items must list at least one line');
  } else if (items.length > MAX_ORDER_LINES) {
    problems.push(`items must list at most ${MAX_ORDER_LINES} lines, got ${items.length}`);
  } else {
    const seen = new Set<string>();
    items.forEach((raw, index) => {
      const line = (raw ?? {}) as { sku?: unknown; quantity?: unknown };
      const sku = typeof line.sku === 'string' ? line.sku : '';
      if (!SKU.test(sku) || sku.length > MAX_SKU_LENGTH) {
        problems.push(`items[${index}].sku must be 1 to ${MAX_SKU_LENGTH} letters, digits, '.', '_' or '-'`);
      } else if (seen.has(sku)) {
        problems.push(`items[${index}].sku ${sku} appears more than once; put the whole quantity on one line`);
      }
      seen.add(sku);
      const quantity = line.quantity;
      if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
        problems.push(`items[${index}].quantity must be an integer from 1 to ${MAX_LINE_QUANTITY}, got ${String(quantity)}`);
      }
    });
  }

  const paymentToken = typeof input.paymentToken === 'string' ? input.paymentToken.trim() : '';
  if (paymentToken.length === 0 || paymentToken.length > MAX_PAYMENT_TOKEN_LENGTH) {
    problems.push(`paymentToken must be 1 to ${MAX_PAYMENT_TOKEN_LENGTH} characters`);
  }

  const clientToken = typeof input.clientToken === 'string' ? input.clientToken : '';
  if (!CLIENT_TOKEN.test(clientToken) || clientToken.length > MAX_CLIENT_TOKEN_LENGTH) {
    problems.push(`clientToken must be 1 to ${MAX_CLIENT_TOKEN_LENGTH} letters, digits, '-' or '_'`);
  }

  if (problems.length > 0) {
    throw new ValidationError(`Invalid input: ${problems.join('; ')}`);
  }
  return {
    lines: (items as RequestedLine[]).map(({ sku, quantity }) => ({ sku, quantity })),
    paymentToken,
    clientToken,
  };
}

/** A page size: an integer 1..max, `fallback` when null or absent. */
export function validatePageSize(limit: number | null | undefined, fallback: number, max = 100): number {
  if (limit === null || limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new ValidationError(`limit must be an integer from 1 to ${max}`);
  }
  return limit;
}
