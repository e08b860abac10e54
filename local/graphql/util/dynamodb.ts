/**
 * `$util.dynamodb` of VTL templates: values to DynamoDB's typed JSON as AppSync's resolver
 * reference shows it (`toDynamoDB("foo")` -> `{"S":"foo"}`, `toNumber(12345)` -> `{"N":12345}`),
 * and each `...Json` twin as that JSON's text. Numbers stay numbers here; the DynamoDB data
 * source sends them as DynamoDB's wire format wants (strings).
 */
type AttributeJson = Record<string, unknown>;

export function toDynamoDB(value: unknown): AttributeJson {
  if (value === null || value === undefined) return { NULL: null };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toDynamoDB) };
  if (typeof value === 'object') return { M: toMapValues(value as Record<string, unknown>) };
  return { S: String(value) };
}

export function toMapValues(map: Readonly<Record<string, unknown>>): Record<string, AttributeJson> {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, toDynamoDB(value)]));
}

export const s3ObjectText = (key: string, bucket: string, region: string, version?: string) =>
  JSON.stringify({ s3: { key, bucket, region, ...(version === undefined ? {} : { version }) } });

/** `toX(...)` -> `toXJson(...)`, the same arguments and the result as JSON text. */
type JsonTwins<T> = {
  [K in keyof T as K extends `to${string}` ? `${K & string}Json` : never]: T[K] extends (...args: infer A) => unknown ? (...args: A) => string : never;
};

export function vtlDynamoDbHelpers() {
  const helpers = {
    toDynamoDB,
    toString: (value: string) => ({ S: value }),
    toStringSet: (values: readonly string[]) => ({ SS: [...values] }),
    toNumber: (value: number) => ({ N: value }),
    toNumberSet: (values: readonly number[]) => ({ NS: [...values] }),
    toBinary: (value: string) => ({ B: value }),
    toBinarySet: (values: readonly string[]) => ({ BS: [...values] }),
    toBoolean: (value: boolean) => ({ BOOL: value }),
    toNull: () => ({ NULL: null }),
    toList: (values: readonly unknown[]) => ({ L: values.map(toDynamoDB) }),
    toMap: (map: Record<string, unknown>) => ({ M: toMapValues(map) }),
    toMapValues,
    toS3Object: (key: string, bucket: string, region: string, version?: string) => ({ S: s3ObjectText(key, bucket, region, version) }),
    fromS3ObjectJson: (text: string) => (JSON.parse(text) as { s3: unknown }).s3,
  };
  const json = Object.fromEntries(
    Object.entries(helpers)
      .filter(([name]) => name.startsWith('to'))
      .map(([name, fn]) => [`${name}Json`, (...args: unknown[]) => JSON.stringify((fn as (...a: unknown[]) => unknown)(...args))]),
  ) as JsonTwins<typeof helpers>;
  return { ...helpers, ...json };
}

/** AppSync's `{"N": 1}` (and NS of numbers) as DynamoDB's wire format wants it (`{"N": "1"}`). */
export function toWireFormat(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWireFormat);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [only] = entries;
  if (entries.length === 1 && only) {
    const [type, inner] = only;
    if (type === 'N' && typeof inner === 'number') return { N: String(inner) };
    if (type === 'NS' && Array.isArray(inner)) return { NS: inner.map(String) };
    if (type === 'NULL' && inner === null) return { NULL: true };
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, toWireFormat(item)]));
}
