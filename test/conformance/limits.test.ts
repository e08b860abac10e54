import { describe, expect, it } from 'vitest';
import { QUERY_DEPTH_LIMIT, RESOLVER_COUNT_LIMIT } from './fixture/stack.js';
import { apiKey, graphql } from './support/http.js';

/**
 * Limits from the CDK configuration (appsync-behaviour.md §7): the fixture API sets a query
 * depth limit of 6, a resolver count limit of 50, and disables introspection.
 */

/** `{ node { id child { id child { ... } } } }` with `levels` nested children. */
const chain = (field: 'child' | 'strictChild', levels: number, leaf = 'id'): string => {
  let selection = `{ ${leaf} }`;
  for (let i = 0; i < levels; i += 1) selection = `{ id ${field} ${selection} }`;
  return `{ node ${selection} }`;
};

/** Follows `field` `levels` times from `node`. */
const descend = (node: unknown, field: string, levels: number): unknown => {
  let current = node;
  for (let i = 0; i < levels; i += 1) current = (current as Record<string, unknown> | null)?.[field];
  return current;
};

describe('query depth limit', () => {
  it(`given a query exactly ${QUERY_DEPTH_LIMIT} fields deep, when it runs, then it resolves without errors`, async () => {
    const response = await graphql(apiKey(), chain('child', QUERY_DEPTH_LIMIT - 2));
    expect(response.errors).toBeUndefined();
    expect(descend((response.data as { node: unknown }).node, 'child', QUERY_DEPTH_LIMIT - 2)).toEqual({ id: expect.any(String) });
  });

  it('given a field one level past the limit under a nullable parent, when it runs, then QueryDepthLimitReached nulls that parent and the levels above resolve', async () => {
    // node (1) > child (2..6) > id (7): the non-null id fails, its nullable child becomes null.
    const response = await graphql(apiKey(), chain('child', QUERY_DEPTH_LIMIT - 1));
    const node = (response.data as { node: unknown }).node;
    expect(descend(node, 'child', QUERY_DEPTH_LIMIT - 2)).toEqual({ id: expect.any(String), child: null });
    expect(response.errors).toEqual([
      expect.objectContaining({ errorType: 'QueryDepthLimitReached', path: ['node', ...Array(QUERY_DEPTH_LIMIT - 1).fill('child'), 'id'] }),
    ]);
  });

  it('given the same depth through non-null fields, when it runs, then the error bubbles to the first nullable parent: the root field', async () => {
    const response = await graphql(apiKey(), chain('strictChild', QUERY_DEPTH_LIMIT - 1));
    expect(response.data).toEqual({ node: null });
    expect(response.errors).toEqual([expect.objectContaining({ errorType: 'QueryDepthLimitReached' })]);
  });
});

describe('resolver count limit', () => {
  const COUNTED = 'query C($n: Int!) { counted(n: $n) { index value } }';

  it(`given a request that runs exactly ${RESOLVER_COUNT_LIMIT} resolvers, when it runs, then all resolve`, async () => {
    const response = await graphql<{ counted: { index: number; value: number | null }[] }>(apiKey(), COUNTED, { n: RESOLVER_COUNT_LIMIT - 1 });
    expect(response.errors).toBeUndefined();
    expect(response.data!.counted.every((item) => item.value === item.index)).toBe(true);
  });

  it('given a request that would run 61 resolvers, when it runs, then the ones past the limit are null with ResolverExecutionLimitReached', async () => {
    const response = await graphql<{ counted: { index: number; value: number | null }[] }>(apiKey(), COUNTED, { n: 60 });
    const values = response.data!.counted.map((item) => item.value);
    // counted itself is resolver 1; values 0..48 are resolvers 2..50.
    expect(values.slice(0, RESOLVER_COUNT_LIMIT - 1)).toEqual(Array.from({ length: RESOLVER_COUNT_LIMIT - 1 }, (_, i) => i));
    expect(values.slice(RESOLVER_COUNT_LIMIT - 1).every((value) => value === null)).toBe(true);
    expect(response.errors).toHaveLength(60 - (RESOLVER_COUNT_LIMIT - 1));
    expect(new Set(response.errors?.map((e) => e.errorType))).toEqual(new Set(['ResolverExecutionLimitReached']));
  });
});

describe('introspection disabled', () => {
  it.each(['{ __schema { types { name } } }', '{ __type(name: "Query") { name } }'])(
    'given introspection is disabled, when %s is sent, then nothing runs and the error says introspection is disabled',
    async (query) => {
      const response = await graphql(apiKey(), query);
      expect(response.data).toBeNull();
      expect(response.errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', message: expect.stringMatching(/introspection/i) })]);
    },
  );

  it('given introspection is disabled, when a query asks for __typename, then it still gets it', async () => {
    const response = await graphql(apiKey(), '{ __typename guarded { __typename } }');
    expect(response.data).toEqual({ __typename: 'Query', guarded: { __typename: 'Guarded' } });
  });
});
