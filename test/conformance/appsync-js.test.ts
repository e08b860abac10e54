import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiKey, graphql } from './support/http.js';

/**
 * APPSYNC_JS resolvers (appsync-behaviour.md §3): unit and pipeline resolvers on NONE, Lambda and
 * DynamoDB data sources, the context they see, and the util/extensions/runtime they use. (That
 * code AppSync would refuse does not load is checked in test/unit/graphql.)
 */

const json = <T>(text: string | null | undefined) => JSON.parse(text ?? 'null') as T;

describe('APPSYNC_JS: unit resolver on NONE', () => {
  it('given a unit resolver, when it runs, then its context has the arguments (AWSJSON parsed), a null identity for the API key, the request headers, its info, and one stash for request and response', async () => {
    const response = await graphql<{ jsContext: string }>(
      apiKey(),
      'query Ctx($json: AWSJSON) { jsContext(label: "x", json: $json) }',
      { json: '{"k":1}' },
      { 'x-conformance': 'js' },
    );
    expect(response.errors).toBeUndefined();
    const ctx = json<Record<string, unknown>>(response.data!.jsContext);
    expect(ctx).toMatchObject({
      arguments: { label: 'x', json: { k: 1 } },
      args: { label: 'x', json: { k: 1 } },
      identity: null,
      source: null,
      result: { label: 'x' },
      stash: { fromRequest: 'set in request' },
      info: { fieldName: 'jsContext', parentTypeName: 'Query', variables: { json: { k: 1 } }, selectionSetList: [], selectionSetGraphQL: '' },
      domainName: null,
      conformanceHeader: 'js',
      jsonType: 'object',
    });
  });
});

describe('APPSYNC_JS: errors and control flow', () => {
  it('given util.error(message, type, data, info), when the resolver runs, then the field is null and the error carries all four', async () => {
    const response = await graphql(apiKey(), '{ jsError(kind: "error") }');
    expect(response.data).toEqual({ jsError: null });
    expect(response.errors).toEqual([
      {
        path: ['jsError'],
        data: { detail: 'data' },
        errorType: 'CustomError',
        errorInfo: { hint: 'info' },
        locations: [{ line: 1, column: 3, sourceName: null }],
        message: 'custom failure',
      },
    ]);
  });

  it('given util.appendError, when the resolver still returns a value, then the response has both the value and the error', async () => {
    const response = await graphql(apiKey(), '{ jsError(kind: "append") }');
    expect(response.data).toEqual({ jsError: 'value despite the error' });
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ['jsError'], errorType: 'AppendedError', message: 'appended failure', data: { detail: 'data' }, errorInfo: { hint: 'info' } }),
    ]);
  });

  it('given util.unauthorized(), when the resolver runs, then the field is denied as an authorization directive would deny it', async () => {
    const response = await graphql(apiKey(), '{ jsError(kind: "unauthorized") }');
    expect(response.data).toEqual({ jsError: null });
    expect(response.errors).toEqual([expect.objectContaining({ errorType: 'Unauthorized', message: 'Not Authorized to access jsError on type Query' })]);
  });

  it('given runtime.earlyReturn in the request handler, then its value is the result and the response handler does not run', async () => {
    const response = await graphql(apiKey(), '{ jsError(kind: "early") }');
    expect(response).toMatchObject({ data: { jsError: 'returned early' }, errors: undefined });
  });
});

describe('APPSYNC_JS: util', () => {
  it('given the util helpers resolvers use, when called, then they return what AppSync documents', async () => {
    const response = await graphql<{ jsUtil: string }>(apiKey(), 'query U($f: AWSJSON) { jsUtil(filter: $f) }', {
      f: JSON.stringify({ channel: { eq: 'a' }, priority: { gt: 1 } }),
    });
    expect(response.errors).toBeUndefined();
    const util = json<Record<string, unknown>>(response.data!.jsUtil);
    expect(util['autoId']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Date.parse(String(util['nowISO8601']))).not.toBeNaN();
    expect(util['nowEpochSeconds']).toBe(Math.floor(Number(util['nowEpochMilliSeconds']) / 1000));
    expect(util['toJson']).toBe('{"a":1}');
    expect(util).toMatchObject({ isNull: true, isNullOrEmpty: true });
    expect(util['toMapValues']).toEqual({ id: { S: 'x' }, n: { N: '1' }, ok: { BOOL: true }, tags: { L: [{ S: 'a' }] }, nothing: { NULL: true } });
    expect(util['subscriptionFilter']).toEqual({
      filterGroup: [{ filters: [{ fieldName: 'channel', operator: 'eq', value: 'a' }, { fieldName: 'priority', operator: 'gt', value: 1 }] }],
    });
  });
});

describe('APPSYNC_JS: DynamoDB data source', () => {
  it('given PutItem with attribute_not_exists, when the same id is put twice, then the first returns the item and the second fails with DynamoDB:ConditionalCheckFailedException', async () => {
    const id = randomUUID();
    const put = 'mutation Put($id: ID!, $name: String!) { putItem(id: $id, name: $name, count: 3) { id name count } }';
    const first = await graphql(apiKey(), put, { id, name: 'first' });
    expect(first).toMatchObject({ data: { putItem: { id, name: 'first', count: 3 } }, errors: undefined });
    const second = await graphql(apiKey(), put, { id, name: 'second' });
    expect(second.data).toEqual({ putItem: null });
    expect(second.errors).toEqual([expect.objectContaining({ path: ['putItem'], errorType: 'DynamoDB:ConditionalCheckFailedException' })]);

    const read = await graphql(apiKey(), 'query Get($id: ID!) { item(id: $id) { id name count } }', { id });
    expect(read.data).toEqual({ item: { id, name: 'first', count: 3 } });
    expect((await graphql(apiKey(), '{ item(id: "missing") { id } }')).data).toEqual({ item: null });
  });
});

describe('APPSYNC_JS: pipeline resolver', () => {
  it('given a pipeline NONE -> Lambda -> DynamoDB, when it runs, then the stash is shared, each function sees the previous result in ctx.prev.result, and the after handler returns the last', async () => {
    const id = randomUUID();
    await graphql(apiKey(), 'mutation Put($id: ID!) { putItem(id: $id, name: "piped") { id } }', { id });
    const response = await graphql<{ pipeline: { stash: string; prev: string; item: unknown } }>(
      apiKey(),
      'query P($id: ID!) { pipeline(id: $id) { stash prev item { id name } } }',
      { id },
    );
    expect(response.errors).toBeUndefined();
    const { stash, prev, item } = response.data!.pipeline;
    const lambdaSaw = { prev: { step: 1 }, stash: { before: 'pipeline request ran', first: 'set by the first function' } };
    expect(json(prev)).toEqual({ lambdaSaw });
    expect(json(stash)).toEqual({ before: 'pipeline request ran', first: 'set by the first function', prevOfThird: { lambdaSaw } });
    expect(item).toEqual({ id, name: 'piped' });
  });
});
