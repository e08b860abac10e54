import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { convertToAttr, marshall, unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * `util.dynamodb.*` of APPSYNC_JS: plain values to DynamoDB attribute values (strings S, numbers
 * N, booleans BOOL, null NULL, arrays L, objects M), and DynamoDB items back to plain values.
 */
export function toAttributeValue(value: unknown): AttributeValue {
  return convertToAttr(value, { removeUndefinedValues: true, convertClassInstanceToMap: true });
}

export function toMapValues(value: Readonly<Record<string, unknown>>): Record<string, AttributeValue> {
  return marshall(value, { removeUndefinedValues: true, convertClassInstanceToMap: true });
}

export function fromItem(item: Record<string, AttributeValue> | undefined): Record<string, unknown> | null {
  // Numbers come back as JavaScript numbers and sets (SS, NS, BS) as lists, as AppSync hands them to resolvers.
  return item ? (setsAsLists(unmarshall(item)) as Record<string, unknown>) : null;
}

function setsAsLists(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(setsAsLists);
  if (Array.isArray(value)) return value.map(setsAsLists);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, setsAsLists(v)]));
  }
  return value;
}
