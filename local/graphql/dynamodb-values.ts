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
  // Numbers come back as JavaScript numbers, as AppSync hands them to resolvers.
  return item ? unmarshall(item) : null;
}
