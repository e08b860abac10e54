/**
 * `util`, `extensions` and `runtime` of the APPSYNC_JS runtime (`@aws-appsync/utils` on npm is
 * type stubs only), as AppSync's resolver reference documents them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EarlyReturn, type Invalidation, ResolverAbort, effects } from './effects.js';
import { toSubscriptionFilter, validateFilter } from './filters.js';
import { toAttributeValue, toMapValues } from './dynamodb-values.js';
import { s3ObjectText } from './util/dynamodb.js';
import { authTypeOf, ksuid } from './util/ids.js';
import { timeHelpers } from './util/time.js';
import { toDynamoDBExpression } from './util/transform.js';
import { copyHeaders, mathHelpers, strHelpers, xmlHelpers } from './util/text.js';

const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function ulid(): string {
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i += 1) {
    head = ULID_ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  return head + [...randomBytes(16)].map((b) => ULID_ALPHABET[b % 32]).join('');
}

export const util = Object.freeze({
  autoId: () => randomUUID(),
  autoUlid: ulid,
  autoKsuid: ksuid,
  authType: () => authTypeOf(effects().identity),
  matches: (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`).test(value),
  error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never {
    throw new ResolverAbort(message, errorType, data ?? null, errorInfo ?? null);
  },
  appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void {
    effects().appendedErrors.push({ message, errorType, data: data ?? null, errorInfo: errorInfo ?? null });
  },
  unauthorized(): never {
    throw new ResolverAbort('Unauthorized', 'Unauthorized', null, null, true);
  },
  isNull: (value: unknown) => value === null || value === undefined,
  isNullOrEmpty: (value: unknown) => value === null || value === undefined || value === '',
  isNullOrBlank: (value: unknown) => value === null || value === undefined || (typeof value === 'string' && value.trim() === ''),
  defaultIfNull: (value: unknown, fallback: unknown) => (value === null || value === undefined ? fallback : value),
  defaultIfNullOrEmpty: (value: unknown, fallback: unknown) => (value === null || value === undefined || value === '' ? fallback : value),
  defaultIfNullOrBlank: (value: unknown, fallback: unknown) =>
    value === null || value === undefined || (typeof value === 'string' && value.trim() === '') ? fallback : value,
  toJson: (value: unknown) => JSON.stringify(value),
  escapeJavaScript: (value: string) => JSON.stringify(value).slice(1, -1),
  urlEncode: (value: string) => encodeURIComponent(value),
  urlDecode: (value: string) => decodeURIComponent(value),
  base64Encode: (value: string) => Buffer.from(value, 'utf8').toString('base64'),
  base64Decode: (value: string) => Buffer.from(value, 'base64').toString('utf8'),
  time: Object.freeze(timeHelpers()),
  str: Object.freeze(strHelpers),
  math: Object.freeze(mathHelpers),
  xml: Object.freeze(xmlHelpers),
  http: Object.freeze({
    copyHeaders,
    // Response headers are not sent by the local endpoint (docs/local-stack.md).
    addResponseHeader: (_name: string, _value: unknown): void => undefined,
    addResponseHeaders: (_headers: Record<string, unknown>): void => undefined,
  }),
  dynamodb: Object.freeze({
    toDynamoDB: (value: unknown) => toAttributeValue(value),
    toMapValues: (value: Record<string, unknown>) => toMapValues(value),
    toString: (value: string) => ({ S: value }),
    toStringSet: (values: string[]) => ({ SS: [...values] }),
    toNumber: (value: number) => ({ N: String(value) }),
    toNumberSet: (values: number[]) => ({ NS: values.map(String) }),
    toBinary: (value: string) => ({ B: value }),
    toBinarySet: (values: string[]) => ({ BS: [...values] }),
    toBoolean: (value: boolean) => ({ BOOL: value }),
    toNull: () => ({ NULL: true }),
    toList: (values: unknown[]) => ({ L: values.map((v) => toAttributeValue(v)) }),
    toMap: (value: Record<string, unknown>) => ({ M: toMapValues(value) }),
    toS3Object: (key: string, bucket: string, region: string, version?: string) => ({ S: s3ObjectText(key, bucket, region, version) }),
    fromS3ObjectJson: (text: string) => (JSON.parse(text) as { s3: unknown }).s3,
  }),
  transform: Object.freeze({
    toSubscriptionFilter: (input: Record<string, unknown>, ignoredFields?: string[]) => toSubscriptionFilter(input, ignoredFields),
    toDynamoDBFilterExpression: (filter: Record<string, unknown>) => JSON.stringify(toDynamoDBExpression(filter, toAttributeValue)),
    toDynamoDBConditionExpression: (condition: Record<string, unknown>) => JSON.stringify(toDynamoDBExpression(condition, toAttributeValue)),
  }),
});

export const extensions = Object.freeze({
  setSubscriptionFilter(filter: unknown): void {
    effects().subscriptionFilter = validateFilter(filter);
  },
  setSubscriptionInvalidationFilter(filter: unknown): void {
    effects().invalidationFilter = validateFilter(filter);
  },
  invalidateSubscriptions(invalidation: Invalidation): void {
    const list = effects().invalidations;
    // AppSync allows at most five invalidations per request.
    if (list.length >= 5) throw new ResolverAbort('Too many invalidateSubscriptions calls', 'LimitExceededError', null, null);
    list.push(invalidation);
  },
});

export const runtime = Object.freeze({
  earlyReturn(value?: unknown): never {
    throw new EarlyReturn(value ?? null);
  },
});

