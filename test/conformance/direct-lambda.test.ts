import { describe, expect, it } from 'vitest';
import { apiKey, graphql } from './support/http.js';

/**
 * Direct Lambda resolvers (appsync-behaviour.md §2): the exact event, errors thrown by the
 * function, and BatchInvoke when the resolver sets maxBatchSize (10 in the fixture).
 */

interface LambdaEvent {
  arguments: Record<string, unknown>;
  identity: unknown;
  source: unknown;
  request: { headers: Record<string, string>; domainName: string | null };
  info: { fieldName: string; parentTypeName: string; variables: Record<string, unknown>; selectionSetList: string[]; selectionSetGraphQL: string };
  prev: unknown;
  stash: unknown;
}

const PROBE = `query Probe($label: String, $input: EventInput) {
  probe: event(label: $label, input: $input, json: "{\\"a\\":1}") {
    json
    theLabel: label
    ...ViewFields
    ... on EventView { inline: label }
    nested: child(label: "inner") { label json }
  }
}
fragment ViewFields on EventView { fromFragment: label child { json } }`;

describe('direct Lambda resolvers: the event', () => {
  it('given a query with aliases, a named and an inline fragment, variables and headers, when the Lambda runs, then its event is exactly what AppSync sends', async () => {
    const response = await graphql<{ probe: { json: string } }>(
      apiKey(),
      PROBE,
      { label: 'L', input: { name: 'n', tags: ['a', 'b'] } },
      { 'x-conformance': 'probe', cookie: 'session=secret' },
    );
    expect(response.errors).toBeUndefined();
    const event = JSON.parse(response.data!.probe.json) as LambdaEvent;

    expect(Object.keys(event).sort()).toEqual(['arguments', 'identity', 'info', 'prev', 'request', 'source', 'stash']);
    // AWSJSON arguments reach the function parsed.
    expect(event.arguments).toEqual({ label: 'L', input: { name: 'n', tags: ['a', 'b'] }, json: { a: 1 } });
    expect(event.identity).toBeNull();
    expect(event.source).toBeNull();
    expect(event.prev).toBeNull();
    expect(event.stash).toEqual({});
    expect(event.request.domainName).toBeNull();
    expect(event.request.headers['x-conformance']).toBe('probe');
    expect(event.request.headers).not.toHaveProperty('cookie');
    expect(event.info).toEqual({
      fieldName: 'event',
      parentTypeName: 'Query',
      variables: { label: 'L', input: { name: 'n', tags: ['a', 'b'] } },
      // Aliases, with the named fragment flattened.
      selectionSetList: ['json', 'theLabel', 'fromFragment', 'child', 'child/json', 'inline', 'nested', 'nested/label', 'nested/json'],
      // The inline fragment kept; the named one written inline on its type.
      selectionSetGraphQL:
        '{\n  json\n  theLabel: label\n  ... on EventView {\n    fromFragment: label\n    child {\n      json\n    }\n  }\n  ... on EventView {\n    inline: label\n  }\n  nested: child(label: "inner") {\n    label\n    json\n  }\n}',
    });
  });

  it('given a nested field resolved by a Lambda, when it runs, then parentTypeName is the parent type and source is the parent\'s result', async () => {
    const response = await graphql<{ event: { label: string; child: { json: string } } }>(apiKey(), '{ event(label: "parent") { label child(label: "kid") { json } } }');
    expect(response.errors).toBeUndefined();
    const event = JSON.parse(response.data!.event.child.json) as LambdaEvent;
    expect(event.info.fieldName).toBe('child');
    expect(event.info.parentTypeName).toBe('EventView');
    expect(event.arguments).toEqual({ label: 'kid' });
    // The parent's whole result, as its Lambda returned it (json is an object there).
    expect(event.source).toMatchObject({ label: 'parent', json: expect.objectContaining({ arguments: { label: 'parent' } }) });
  });

  it('given a Lambda that returns an object for an AWSJSON field, when the client reads it, then it gets one JSON string, not a doubly encoded one', async () => {
    const response = await graphql<{ event: { json: string } }>(apiKey(), '{ event { json } }');
    expect(typeof JSON.parse(response.data!.event.json)).toBe('object');
  });
});

describe('direct Lambda resolvers: errors', () => {
  it('given a Lambda that throws a named error, when the field runs, then the response has data null for it and an error with errorType, message, errorInfo null, path and locations', async () => {
    const response = await graphql(apiKey(), 'query {\n  fail(errorType: "NotFoundError", message: "no such thing")\n}');
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ fail: null });
    expect(response.errors).toEqual([
      {
        path: ['fail'],
        data: null,
        errorType: 'NotFoundError',
        errorInfo: null,
        locations: [{ line: 2, column: 3, sourceName: null }],
        message: 'no such thing',
      },
    ]);
  });

  it('given a Lambda that throws UnauthorizedException, when the field runs, then AppSync replaces its message', async () => {
    const response = await graphql(apiKey(), '{ fail(errorType: "UnauthorizedException", message: "internal detail") }');
    expect(response.errors).toEqual([
      expect.objectContaining({ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }),
    ]);
  });
});

interface Parent {
  index: number;
  batched: { index: number; batchSize: number; invocation: string } | null;
}

const PARENTS = 'query Parents($count: Int!, $failAt: Int) { parents(count: $count, failAt: $failAt) { index batched { index batchSize invocation } } }';

describe('direct Lambda resolvers: BatchInvoke (maxBatchSize 10)', () => {
  it('given five parents, when their batched children resolve, then one invocation carries all five events in order', async () => {
    const response = await graphql<{ parents: Parent[] }>(apiKey(), PARENTS, { count: 5 });
    expect(response.errors).toBeUndefined();
    const parents = response.data!.parents;
    expect(parents.map((p) => p.batched?.index)).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(parents.map((p) => p.batched?.invocation)).size).toBe(1);
    expect(parents.every((p) => p.batched?.batchSize === 5)).toBe(true);
  });

  it('given 25 parents, when their children resolve, then they go in batches of at most maxBatchSize: 10, 10 and 5', async () => {
    const response = await graphql<{ parents: Parent[] }>(apiKey(), PARENTS, { count: 25 });
    expect(response.errors).toBeUndefined();
    const sizes = new Map<string, number>();
    for (const p of response.data!.parents) sizes.set(p.batched!.invocation, p.batched!.batchSize);
    expect([...sizes.values()].sort((a, b) => b - a)).toEqual([10, 10, 5]);
    expect(response.data!.parents.map((p) => p.batched?.index)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('given a batch whose third item comes back with errorMessage, then only that path is null with its error, the others resolve', async () => {
    const response = await graphql<{ parents: Parent[] }>(apiKey(), PARENTS, { count: 4, failAt: 2 });
    expect(response.data!.parents.map((p) => p.batched === null)).toEqual([false, false, true, false]);
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ['parents', 2, 'batched'], errorType: 'ItemError', message: 'item 2 failed' }),
    ]);
  });
});
