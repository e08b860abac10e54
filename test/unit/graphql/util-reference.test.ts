import { describe, expect, it } from 'vitest';
import { util as jsUtil } from '../../../local/graphql/js-util.js';
import { vtlUtil } from '../../../local/graphql/vtl/util.js';

/**
 * `util` (APPSYNC_JS) and `$util` (VTL) against the examples of AWS's resolver references (the
 * time, DynamoDB, transform, string, math, XML and list helper pages and the
 * `@aws-appsync/utils` type documentation): each input and output below is one of those
 * examples, stated as a fact.
 */
const vtl = vtlUtil(null);
const runtimes = [
  ['APPSYNC_JS', jsUtil],
  ['VTL', vtl],
] as const;

// 2018-02-06T19:01:35.758Z, the instant the time helper examples use.
const INSTANT = 1517943695758;

describe.each(runtimes)('util.time (%s)', (_name, util) => {
  it('given epoch milliseconds, when converted, then seconds, ISO 8601 and formatted text match the reference', () => {
    expect(util.time.epochMilliSecondsToSeconds(INSTANT)).toBe(1517943695);
    expect(util.time.epochMilliSecondsToISO8601(INSTANT)).toBe('2018-02-06T19:01:35.758Z');
    expect(util.time.epochMilliSecondsToFormatted(INSTANT, 'yyyy-MM-dd HH:mm:ssZ')).toBe('2018-02-06 19:01:35+0000');
    expect(util.time.epochMilliSecondsToFormatted(INSTANT, 'yyyy-MM-dd HH:mm:ssZ', '+08:00')).toBe('2018-02-07 03:01:35+0800');
    expect(util.time.epochMilliSecondsToFormatted(INSTANT, 'yyyy-MM-dd HH:mm:ssZ', 'Australia/Perth')).toBe('2018-02-07 03:01:35+0800');
  });

  it('given formatted text, when parsed, then the epoch milliseconds match the reference', () => {
    expect(util.time.parseFormattedToEpochMilliSeconds('2018-02-02 01:19:22+0800', 'yyyy-MM-dd HH:mm:ssZ')).toBe(1517505562000);
    expect(util.time.parseFormattedToEpochMilliSeconds('2018-02-02 01:19:22', 'yyyy-MM-dd HH:mm:ss', '+08:00')).toBe(1517505562000);
    expect(util.time.parseISO8601ToEpochMilliSeconds('2018-02-01T17:21:05.180+08:00')).toBe(1517476865180);
  });

  it('given a zone, when the current time is formatted, then it carries that zone\'s offset', () => {
    expect(util.time.nowFormatted('yyyy-MM-dd HH:mm:ssZ', '+08:00')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+0800$/);
    expect(util.time.nowFormatted('yyyy-MM-dd HH:mm:ssZ')).toMatch(/\+0000$/);
  });
});

describe.each(runtimes)('util.str, util.math, util.xml (%s)', (_name, util) => {
  it('given strings, when transformed, then case, replacement and normalization match the reference', () => {
    expect(util.str.toUpper('hello World')).toBe('HELLO WORLD');
    expect(util.str.toLower('hello World')).toBe('hello world');
    expect(util.str.toReplace('hello world', 'hello', 'mellow')).toBe('mellow world');
    expect(util.str.normalize('\u0041\u030a', 'nfc')).toBe('\u00c5');
  });

  it('given numbers, when rounded, compared and drawn, then the results match the reference', () => {
    expect(util.math.roundNum(10.2)).toBe(10);
    expect(util.math.minVal(10.2, 20.1)).toBe(10.2);
    expect(util.math.maxVal(10.2, 20.1)).toBe(20.1);
    const draws = Array.from({ length: 200 }, () => util.math.randomWithinRange(1, 3));
    expect(draws.every((n) => Number.isInteger(n) && n >= 1 && n <= 3)).toBe(true);
    const double = util.math.randomDouble();
    expect(double >= 0 && double < 1).toBe(true);
  });

  it('given the reference XML, when converted, then one post is a map and two posts a list', () => {
    const one = '<?xml version="1.0" encoding="UTF-8"?><posts><post><id>1</id><title>Getting started with GraphQL</title></post></posts>';
    expect(util.xml.toMap(one)).toEqual({ posts: { post: { id: 1, title: 'Getting started with GraphQL' } } });
    const two = '<?xml version="1.0" encoding="UTF-8"?><posts><post><id>1</id><title>A</title></post><post><id>2</id><title>B</title></post></posts>';
    expect(util.xml.toMap(two)).toEqual({ posts: { post: [{ id: 1, title: 'A' }, { id: 2, title: 'B' }] } });
    expect(JSON.parse(util.xml.toJsonString(one))).toEqual({ posts: { post: { id: 1, title: 'Getting started with GraphQL' } } });
  });

  it('given request headers, when copied, then the restricted hop-by-hop headers are left out', () => {
    expect(util.http.copyHeaders({ 'content-type': 'application/json', host: 'h', 'content-length': '3', 'x-custom': 'v', connection: 'keep-alive' })).toEqual({
      'content-type': 'application/json',
      'x-custom': 'v',
    });
  });
});

describe('util.transform (APPSYNC_JS and VTL)', () => {
  it('given the reference filter object, when converted, then the expression, names and values match the reference', () => {
    const expected = {
      expression: 'contains(#title, :title_contains)',
      expressionNames: { '#title': 'title' },
      expressionValues: { ':title_contains': { S: 'Hello World' } },
    };
    expect(JSON.parse(jsUtil.transform.toDynamoDBFilterExpression({ title: { contains: 'Hello World' } }))).toEqual(expected);
    expect(JSON.parse(vtl.transform.toDynamoDBFilterExpression({ title: { contains: 'Hello World' } }))).toEqual(expected);
  });

  it('given two fields and an or, when converted, then each condition is parenthesized and joined', () => {
    const result = JSON.parse(vtl.transform.toDynamoDBFilterExpression({ upvotes: { gt: 5 }, or: [{ title: { beginsWith: 'A' } }, { title: { eq: 'B' } }] })) as {
      expression: string;
      expressionValues: Record<string, unknown>;
    };
    expect(result.expression).toBe('(#upvotes > :upvotes_gt) AND ((begins_with(#title, :title_beginsWith)) OR (#title = :title_eq))');
    expect(result.expressionValues).toEqual({ ':upvotes_gt': { N: 5 }, ':title_beginsWith': { S: 'A' }, ':title_eq': { S: 'B' } });
  });

  it('given a condition with attributeExists and size, when converted, then DynamoDB condition functions are used', () => {
    const result = JSON.parse(jsUtil.transform.toDynamoDBConditionExpression({ id: { attributeExists: false }, tags: { size: { gt: 2 } } })) as { expression: string };
    expect(result.expression).toBe('(attribute_not_exists(#id)) AND (size(#tags) > :tags_size_gt)');
  });
});

describe('$util.dynamodb (VTL)', () => {
  it('given plain values, when converted, then the typed JSON matches the reference', () => {
    expect(vtl.dynamodb.toDynamoDB('foo')).toEqual({ S: 'foo' });
    expect(vtl.dynamodb.toDynamoDB(12345)).toEqual({ N: 12345 });
    expect(vtl.dynamodb.toDynamoDB(true)).toEqual({ BOOL: true });
    expect(vtl.dynamodb.toDynamoDB(['foo', 123, { bar: 'baz' }])).toEqual({ L: [{ S: 'foo' }, { N: 123 }, { M: { bar: { S: 'baz' } } }] });
    expect(vtl.dynamodb.toDynamoDB({ foo: 'bar', baz: 1234, beep: ['boop'] })).toEqual({ M: { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } } });
    expect(vtl.dynamodb.toMapValues({ foo: 'bar', baz: 1234, beep: ['boop'] })).toEqual({ foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } });
    expect(vtl.dynamodb.toStringSet(['foo', 'bar', 'baz'])).toEqual({ SS: ['foo', 'bar', 'baz'] });
    expect(vtl.dynamodb.toNumberSet([1, 23, 4.56])).toEqual({ NS: [1, 23, 4.56] });
    expect(vtl.dynamodb.toBinary('foo')).toEqual({ B: 'foo' });
    expect(vtl.dynamodb.toBoolean(true)).toEqual({ BOOL: true });
    expect(vtl.dynamodb.toNull()).toEqual({ NULL: null });
    expect(vtl.dynamodb.toString('foo')).toEqual({ S: 'foo' });
    expect(vtl.dynamodb.toNumber(12345)).toEqual({ N: 12345 });
  });

  it('given the ...Json twins, when called, then they return the same values as JSON text', () => {
    expect(JSON.parse(vtl.dynamodb.toDynamoDBJson('foo'))).toEqual({ S: 'foo' });
    expect(JSON.parse(vtl.dynamodb.toMapValuesJson({ id: 'a', n: 1 }))).toEqual({ id: { S: 'a' }, n: { N: 1 } });
    expect(JSON.parse(vtl.dynamodb.toNullJson())).toEqual({ NULL: null });
  });

  it('given an S3 object, when stored and read back, then its key, bucket and region survive', () => {
    const stored = vtl.dynamodb.toS3Object('foo', 'bar', 'baz') as { S: string };
    expect(JSON.parse(stored.S)).toEqual({ s3: { key: 'foo', bucket: 'bar', region: 'baz' } });
    expect(vtl.dynamodb.fromS3ObjectJson(stored.S)).toEqual({ key: 'foo', bucket: 'bar', region: 'baz' });
  });
});

describe('$util core helpers (VTL)', () => {
  it('given values, when checked and defaulted, then nulls, blanks and types are told apart', () => {
    expect([vtl.isNull(null), vtl.isNull('')]).toEqual([true, false]);
    expect([vtl.isNullOrEmpty(''), vtl.isNullOrEmpty(' ')]).toEqual([true, false]);
    expect([vtl.isNullOrBlank(' '), vtl.isNullOrBlank('a')]).toEqual([true, false]);
    expect(vtl.defaultIfNull(null, 'x')).toBe('x');
    expect(vtl.defaultIfNullOrEmpty('', 'x')).toBe('x');
    expect(vtl.defaultIfNullOrBlank('  ', 'x')).toBe('x');
    expect([vtl.isString('a'), vtl.isNumber(1), vtl.isBoolean(false), vtl.isList([]), vtl.isMap({})]).toEqual([true, true, true, true, true]);
    expect([vtl.typeOf('a'), vtl.typeOf(1), vtl.typeOf([]), vtl.typeOf({}), vtl.typeOf(null)]).toEqual(['String', 'Number', 'List', 'Map', 'Null']);
    expect([vtl.matches('a*b', 'aaab'), vtl.matches('a*b', 'aaabc')]).toEqual([true, false]);
  });

  it('given text, when encoded and decoded, then it round-trips', () => {
    expect(vtl.base64Encode('hello')).toBe('aGVsbG8=');
    expect(vtl.base64Decode('aGVsbG8=')).toBe('hello');
    expect(vtl.urlDecode(vtl.urlEncode('a b&c'))).toBe('a b&c');
    expect(vtl.parseJson('{"a":[1]}')).toEqual({ a: [1] });
    expect(vtl.toJson({ a: [1] })).toBe('{"a":[1]}');
    expect(vtl.escapeJavaScript('a"b\n')).toBe('a\\"b\\n');
  });

  it('given id helpers, when called, then a UUID, a 26-character ULID and a 27-character KSUID come back', () => {
    expect(vtl.autoId()).toMatch(/^[0-9a-f-]{36}$/);
    expect(vtl.autoUlid()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(vtl.autoKsuid()).toMatch(/^[0-9A-Za-z]{27}$/);
  });

  it('given lists and maps, when copied with keep or drop lists, then only the chosen entries remain', () => {
    expect(vtl.list.copyAndRetainAll(['foo', 'bar', 'baz'], ['bar'])).toEqual(['bar']);
    expect(vtl.list.copyAndRemoveAll(['foo', 'bar', 'baz'], ['bar'])).toEqual(['foo', 'baz']);
    expect(vtl.list.sortList([{ n: 2 }, { n: 1 }], false, 'n')).toEqual([{ n: 1 }, { n: 2 }]);
    expect(vtl.list.sortList([1, 3, 2], true, '')).toEqual([3, 2, 1]);
    expect(vtl.map.copyAndRetainAllKeys({ a: 1, b: 2 }, ['a'])).toEqual({ a: 1 });
    expect(vtl.map.copyAndRemoveAllKeys({ a: 1, b: 2 }, ['a'])).toEqual({ b: 2 });
  });

  it('given identities of each mode, when authType is asked, then AppSync\'s names come back', () => {
    expect(vtlUtil(null).authType()).toBe('API Key Authorization');
    expect(vtlUtil({ accountId: '1', userArn: 'arn' }).authType()).toBe('IAM Authorization');
    expect(vtlUtil({ sub: 's', username: 'u', claims: {} }).authType()).toBe('User Pool Authorization');
    expect(vtlUtil({ sub: 's', issuer: 'i', claims: {} }).authType()).toBe('Open ID Connect Authorization');
    expect(vtlUtil({ resolverContext: {} }).authType()).toBe('Lambda Authorization');
  });
});

describe('util.authType (APPSYNC_JS)', () => {
  it("given a resolver called with an API key and with a user pool identity, when it asks, then AppSync's mode names come back", async () => {
    const { newEffects, withEffects } = await import('../../../local/graphql/effects.js');
    const asked = (identity: unknown) => {
      const effects = newEffects();
      effects.identity = identity;
      return withEffects(effects, () => jsUtil.authType()).value;
    };
    expect(asked(null)).toBe('API Key Authorization');
    expect(asked({ sub: 's', username: 'u', claims: {} })).toBe('User Pool Authorization');
  });
});
