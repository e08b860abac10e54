import { describe, expect, it } from 'vitest';
import { notRun } from '../../../local/cdk/not-run.js';
import type { ApiSpec, Topology } from '../../../local/cdk/topology.js';
import { AppSyncEngine, SchemaError } from '../../../local/graphql-adapters/engine.js';
import { ResolverCodeError } from '../../../local/graphql/appsync-js.js';
import { appSyncSdl } from '../../../local/graphql/appsync-schema.js';
import { BUILTINS as builtins, apiSpec } from '../../support/api-spec.js';

/** What AppSync refuses when an API is created, refused when the local engine is built. */

const api = (schema: string, overrides: Partial<ApiSpec> = {}): ApiSpec =>
  apiSpec(schema, {
    dataSources: new Map([['None', { logicalId: 'None', name: 'None', type: 'NONE', functionLogicalId: undefined, tableLogicalId: undefined }]]),
    ...overrides,
  });

const engine = (spec: ApiSpec) => new AppSyncEngine({ api: spec, builtins, invokeFunction: async () => null });

describe('the engine refuses what AppSync refuses', () => {
  it('given a custom scalar, when the engine is built, then it fails naming the scalar', () => {
    expect(() => engine(api('scalar Money\ntype Query { price: Money }'))).toThrow(SchemaError);
    expect(() => engine(api('scalar Money\ntype Query { price: Money }'))).toThrow(/custom scalar Money/);
  });

  it('given a subscription whose type differs from its mutation\'s, when the engine is built, then it fails naming both', () => {
    const schema = `type Query { a: String }
      type Mutation { put: A }
      type Subscription { onPut: B @aws_subscribe(mutations: ["put"]) }
      type A { id: ID } type B { id: ID }`;
    expect(() => engine(api(schema))).toThrow(/Subscription\.onPut returns B but put returns A/);
  });

  it('given resolver code with a while loop, when the engine is built, then it fails naming the field', () => {
    const spec = api('type Query { a: String }', {
      resolvers: [
        {
          typeName: 'Query',
          fieldName: 'a',
          kind: 'UNIT',
          dataSourceLogicalId: 'None',
          code: 'export function request(ctx) { while (ctx.x) {} return {}; }\nexport function response(ctx) { return ctx.result; }',
          pipelineFunctionLogicalIds: [],
          maxBatchSize: 0,
        },
      ],
    });
    expect(() => engine(spec)).toThrow(ResolverCodeError);
    expect(() => engine(spec)).toThrow(/^Query\.a: the APPSYNC_JS runtime does not support:\n {2}1:\d+ While statements are not supported/);
  });

  it('given a valid schema and resolvers, when the engine is built and queried, then it answers', async () => {
    const result = await engine(api('type Query { a: String }')).execute({ query: '{ a }' }, { caller: { mode: 'API_KEY', identity: null }, headers: {} });
    expect(result).toEqual({ data: { a: null } });
  });
});

describe('directives AppSync does not define', () => {
  // serverless-patterns' appsync-dynamodb-singletable-cdk deploys `@aws_apikey` (for @aws_api_key).
  const schema = `type Query { a: String @aws_apikey b: String @aws_iam }
    type Item @model { id: ID }`;

  it('given a schema using an undeclared directive, when the engine is built, then it builds and the directive means nothing', async () => {
    const built = engine(api(schema));
    const apiKey = { caller: { mode: 'API_KEY' as const, identity: null }, headers: {} };
    const result = await built.execute({ query: '{ a }' }, apiKey);
    expect(result).toEqual({ data: { a: null } });
    // AppSync's own directives still apply: b is IAM only.
    const denied = await built.execute({ query: '{ b }' }, apiKey);
    expect(denied.errors?.[0]?.message).toBe('Not Authorized to access b on type Query');
  });

  it('given the same schema, when the start-up table is made, then it names each undeclared directive once', () => {
    const topology = { apis: [api(schema)], skippedFunctions: [] } as unknown as Topology;
    const rows = notRun({ Resources: {} }, topology, builtins).filter((row) => row.type === 'GraphQL schema directive');
    expect(rows.map((row) => row.what)).toEqual(['@aws_apikey', '@model']);
  });
});

describe("AppSync's directives where they have no meaning", () => {
  // serverless-patterns' appsync-cognito-lambda-cdk deploys `input UserInput @aws_cognito_user_pools`.
  const schema = `type Query { user(input: UserInput): String @aws_api_key }
    input UserInput @aws_cognito_user_pools { name: String @aws_iam }`;

  it('given an auth directive on an input type and an input field, when the engine is built, then it builds and the field keeps its own rule', async () => {
    const built = engine(api(schema, { additionalModes: ['AMAZON_COGNITO_USER_POOLS'] }));
    const result = await built.execute({ query: '{ user(input: {name: "a"}) }' }, { caller: { mode: 'API_KEY', identity: null }, headers: {} });
    expect(result).toEqual({ data: { user: null } });
  });

  it('given the same schema, when the start-up table is made, then each use is named with its place', () => {
    const topology = { apis: [api(schema)], skippedFunctions: [] } as unknown as Topology;
    const rows = notRun({ Resources: {} }, topology, builtins).filter((row) => row.type === 'GraphQL schema directive');
    expect(rows.map((row) => row.what)).toEqual(['@aws_cognito_user_pools on INPUT_OBJECT', '@aws_iam on INPUT_FIELD_DEFINITION']);
  });
});

describe("a `;` after a field, as AppSync's parser accepts it", () => {
  // serverless-patterns' appsync-subscription-filter-cdk deploys `accountId: String;`.
  it('given fields ending in `;`, when the engine is built, then it builds and answers', async () => {
    const built = engine(api('type Query { identity: Identity }\ntype Identity { accountId: String; sourceIp: [String]; }'));
    const result = await built.execute({ query: '{ identity { accountId sourceIp } }' }, { caller: { mode: 'API_KEY', identity: null }, headers: {} });
    expect(result).toEqual({ data: { identity: null } });
  });

  it('given `;` inside descriptions, strings and comments, when read, then only the separators change', () => {
    const sdl = '"""a; b"""\ntype T { f(x: String = "c;\\"d;"): String; # e;\n}';
    expect(appSyncSdl(sdl)).toBe('"""a; b"""\ntype T { f(x: String = "c;\\"d;"): String, # e;\n}');
  });
});
