import { describe, expect, it } from 'vitest';
import type { ApiSpec } from '../../../local/cdk/topology.js';
import { AppSyncEngine } from '../../../local/graphql-adapters/engine.js';
import { BUILTINS as builtins, apiSpec } from '../../support/api-spec.js';

/** Hostile documents at the engine: refused with AppSync's validation error shape, nothing run. */

const SCHEMA = `
  type Query { policy: Policy, node: Node }
  type Mutation { put(id: ID!): Policy }
  type Policy { maxBytes: Int, tag: String }
  type Node { id: ID, child: Node }
`;

const api: ApiSpec = apiSpec(SCHEMA, {
  dataSources: new Map([['Fn', { logicalId: 'Fn', name: 'Fn', type: 'AWS_LAMBDA', functionLogicalId: 'Fn', tableLogicalId: undefined }]]),
  resolvers: ['policy', 'put'].map((fieldName) => ({
    typeName: fieldName === 'put' ? 'Mutation' : 'Query',
    fieldName,
    kind: 'UNIT' as const,
    dataSourceLogicalId: 'Fn',
    code: undefined,
    pipelineFunctionLogicalIds: [],
    maxBatchSize: 0,
  })),
});

function engineWithCalls() {
  const calls: unknown[] = [];
  const engine = new AppSyncEngine({
    api,
    builtins,
    invokeFunction: async (_id, event) => {
      calls.push(event);
      return { maxBytes: 1, tag: 't' };
    },
  });
  const run = (query: string) => engine.execute({ query, variables: null, operationName: null }, { caller: { mode: 'API_KEY', identity: null }, headers: {} });
  return { calls, run };
}

const validationError = (message: RegExp) => ({ path: null, locations: [{ line: expect.any(Number), column: expect.any(Number), sourceName: null }], message: expect.stringMatching(message), errorType: 'ValidationError' });

describe('hostile documents at the engine', () => {
  it.each([
    ['1,000 nested inline fragments', `{ ${'... on Query { '.repeat(1_000)}__typename${' }'.repeat(1_000)} }`, /nests .* more than 150 levels deep/],
    ['10,000 nested inline fragments', `{ ${'... on Query { '.repeat(10_000)}__typename${' }'.repeat(10_000)} }`, /nests .* more than 150 levels deep/],
    ['501 aliases of a mutation', `mutation { ${Array.from({ length: 501 }, (_, i) => `a${i}: put(id: "${i}") { maxBytes }`).join(' ')} }`, /more than 500 aliases/],
    ['5,000 repeats of one field', `mutation { put(id: "1") { ${'maxBytes '.repeat(5_000)}} }`, /too complex to validate: it selects "maxBytes" more than 100 times/],
    ['100,000 tokens', `query Q($v: [Int] = [${'0 '.repeat(100_000)}]) { policy { maxBytes } }`, /more than 15000 tokens/],
  ])('given %s, when executed, then it is refused with a named ValidationError and no resolver runs', async (_, query, message) => {
    const { calls, run } = engineWithCalls();
    expect(await run(query)).toEqual({ data: null, errors: [validationError(message)] });
    expect(calls).toHaveLength(0);
  });

  it('given a document over a megabyte, when executed, then it is refused for its length alone, with no location', async () => {
    const { run } = engineWithCalls();
    const result = await run(`{ policy { maxBytes } } # ${'x'.repeat(1_048_576)}`);
    expect(result).toEqual({ data: null, errors: [{ path: null, locations: [], message: expect.stringMatching(/more than 1048576 characters/), errorType: 'ValidationError' }] });
  });

  it('given exactly 500 aliases and 100 repeats of a field, when executed, then every alias resolves', async () => {
    const { calls, run } = engineWithCalls();
    const query = `{ policy { ${'maxBytes '.repeat(100)}} ${Array.from({ length: 500 }, (_, i) => `a${i}: policy { maxBytes }`).join(' ')} }`;
    const result = await run(query);
    expect(result.errors).toBeUndefined();
    expect(Object.keys(result.data as object)).toHaveLength(501);
    expect(calls).toHaveLength(501);
  });

  it('given a valid document too long to cache, when executed twice, then it runs both times', async () => {
    const { calls, run } = engineWithCalls();
    const query = `{ policy { maxBytes } } # ${'x'.repeat(20_000)}`;
    expect(await run(query)).toEqual({ data: { policy: { maxBytes: 1 } } });
    expect(await run(query)).toEqual({ data: { policy: { maxBytes: 1 } } });
    expect(calls).toHaveLength(2);
  });
});
