import { describe, expect, it } from 'vitest';
import { apiEndpoints, selectApi } from '../../../local/apis.js';
import type { CfnTemplate } from '../../../local/cdk/template.js';
import type { Caller } from '../../../local/contracts.js';
import { readTopology } from '../../../local/cdk/topology.js';
import { StartupError } from '../../../local/startup/startup-error.js';
import { ACCOUNT_ID, iamAuthorizer, localNames, localValues } from '../../../local/wiring.js';

/**
 * Several AppSync APIs in one template: each reads as an API of its own, with what names it by
 * `ApiId` (schema, data sources, resolvers, functions, keys), and resolves to its own local values.
 */
const apiId = (api: string) => ({ 'Fn::GetAtt': [api, 'ApiId'] });
const template: CfnTemplate = {
  Resources: {
    First: { Type: 'AWS::AppSync::GraphQLApi', Properties: { Name: 'first', AuthenticationType: 'API_KEY' } },
    FirstSchema: { Type: 'AWS::AppSync::GraphQLSchema', Properties: { ApiId: apiId('First'), Definition: 'type Query { a: String }' } },
    FirstKey: { Type: 'AWS::AppSync::ApiKey', Properties: { ApiId: apiId('First') } },
    // The same data source name in both APIs: a resolver's `DataSourceName` means its own API's.
    FirstSource: { Type: 'AWS::AppSync::DataSource', Properties: { ApiId: apiId('First'), Name: 'local', Type: 'NONE' } },
    FirstField: { Type: 'AWS::AppSync::Resolver', Properties: { ApiId: apiId('First'), TypeName: 'Query', FieldName: 'a', DataSourceName: 'local', Code: 'a' } },
    Second: {
      Type: 'AWS::AppSync::GraphQLApi',
      Properties: { Name: 'second', AuthenticationType: 'AWS_IAM', AdditionalAuthenticationProviders: [{ AuthenticationType: 'API_KEY' }] },
    },
    SecondSchema: { Type: 'AWS::AppSync::GraphQLSchema', Properties: { ApiId: apiId('Second'), Definition: 'type Query { b: String }' } },
    SecondKey: { Type: 'AWS::AppSync::ApiKey', Properties: { ApiId: apiId('Second'), Expires: 2_000_000_000 } },
    SecondSource: { Type: 'AWS::AppSync::DataSource', Properties: { ApiId: apiId('Second'), Name: 'local', Type: 'NONE' } },
    SecondStep: { Type: 'AWS::AppSync::FunctionConfiguration', Properties: { ApiId: apiId('Second'), Name: 'step', DataSourceName: 'local', Code: 'step' } },
    SecondField: {
      Type: 'AWS::AppSync::Resolver',
      Properties: { ApiId: apiId('Second'), TypeName: 'Query', FieldName: 'b', Kind: 'PIPELINE', Code: 'b', PipelineConfig: { Functions: [{ 'Fn::GetAtt': ['SecondStep', 'FunctionId'] }] } },
    },
    Caller: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Policies: [
          {
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'appsync:GraphQL', Resource: { 'Fn::Join': ['', [{ Ref: 'Second' }, '/types/Query/fields/*']] } }],
            },
          },
        ],
      },
    },
    Fn: {
      Type: 'AWS::Lambda::Function',
      Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: 'x' }, Role: { 'Fn::GetAtt': ['Caller', 'Arn'] } },
    },
  },
};

describe('a template with two GraphQL APIs', () => {
  const topology = readTopology(template);
  const [first, second] = topology.apis;

  it('when read, then there is one API each, in template order, with its own schema, auth modes and keys', () => {
    expect(topology.apis.map((api) => [api.logicalId, api.name])).toEqual([['First', 'first'], ['Second', 'second']]);
    expect(first.schema).toBe('type Query { a: String }');
    expect(second?.schema).toBe('type Query { b: String }');
    expect([first.defaultMode, first.additionalModes]).toEqual(['API_KEY', []]);
    expect([second?.defaultMode, second?.additionalModes]).toEqual(['AWS_IAM', ['API_KEY']]);
    expect(first.apiKeys).toEqual([{ logicalId: 'FirstKey', expires: undefined }]);
    expect(second?.apiKeys).toEqual([{ logicalId: 'SecondKey', expires: 2_000_000_000 }]);
  });

  it('when read, then each has only the data sources, resolvers and functions that name it by ApiId, a shared data source name meaning its own', () => {
    expect([...first.dataSources.keys()]).toEqual(['FirstSource']);
    expect(first.resolvers.map((r) => [r.fieldName, r.dataSourceLogicalId])).toEqual([['a', 'FirstSource']]);
    expect([...first.pipelineFunctions.keys()]).toEqual([]);

    expect([...(second?.dataSources.keys() ?? [])]).toEqual(['SecondSource']);
    expect(second?.resolvers.map((r) => [r.fieldName, r.pipelineFunctionLogicalIds])).toEqual([['b', ['SecondStep']]]);
    expect(second?.pipelineFunctions.get('SecondStep')?.dataSourceLogicalId).toBe('SecondSource');
  });

  it('when an API has no schema it can read, then the error names that API', () => {
    const withoutSchema: CfnTemplate = { Resources: { ...template.Resources, SecondSchema: { Type: 'AWS::CDK::Metadata', Properties: {} } } };

    expect(() => readTopology(withoutSchema)).toThrow(/The GraphQL API Second has no schema/);
  });

  describe('given the local names and endpoints', () => {
    const names = localNames(topology, 'seed', 'us-east-1');
    const endpoints = apiEndpoints(topology.apis, 4000);
    const values = localValues(template, names, { apis: endpoints, s3: '', dynamodb: '', stepFunctions: '' });

    it("when each API's attributes are resolved, then each names its own URL, host and id, the first where a one-API app's is", () => {
      const attributes = (api: string) => ['GraphQLUrl', 'RealtimeUrl', 'GraphQLDns', 'ApiId'].map((a) => values.getAtt(api, a));

      expect(attributes('First')).toEqual(['http://localhost:4000/graphql', 'wss://localhost:4000/graphql/realtime', 'localhost:4000', names.apiIds.get('First')]);
      expect(attributes('Second')).toEqual([
        'http://localhost:4000/apis/Second/graphql',
        'wss://localhost:4000/apis/Second/graphql/realtime',
        'localhost:4000',
        names.apiIds.get('Second'),
      ]);
      expect(names.apiIds.get('First')).not.toBe(names.apiIds.get('Second'));
      expect(values.ref('Second')).toBe(`arn:aws:appsync:us-east-1:${ACCOUNT_ID}:apis/${names.apiIds.get('Second')}`);
      expect([values.getAtt('FirstKey', 'ApiKey'), values.getAtt('SecondKey', 'ApiKey')]).toEqual([names.apiKeys.get('FirstKey'), names.apiKeys.get('SecondKey')]);
    });

    it("when a role allows appsync:GraphQL on the second API's ARN, then its calls to the second are allowed and to the first refused", () => {
      const identity = names.functionPrincipals.get('Fn')?.identity ?? { accountId: ACCOUNT_ID, username: '', userArn: '' };
      const caller: Caller = {
        mode: 'AWS_IAM',
        identity: {
          ...identity,
          sourceIp: ['127.0.0.1'],
          cognitoIdentityPoolId: null,
          cognitoIdentityId: null,
          cognitoIdentityAuthType: null,
          cognitoIdentityAuthProvider: null,
        },
      };

      expect(iamAuthorizer(topology, names, values, 'Second')(caller, 'Query', 'b')).toBe(true);
      expect(iamAuthorizer(topology, names, values, 'First')(caller, 'Query', 'a')).toBe(false);
    });
  });

  describe('when --api chooses the API the client configuration describes', () => {
    it('then it is found by name or by logical id, and the first without it', () => {
      expect(selectApi(topology.apis, 'second').logicalId).toBe('Second');
      expect(selectApi(topology.apis, 'Second').logicalId).toBe('Second');
      expect(selectApi(topology.apis, undefined).logicalId).toBe('First');
    });

    it('then a name no API has stops the start with one line listing the APIs', () => {
      expect(() => selectApi(topology.apis, 'third')).toThrow(StartupError);
      expect(() => selectApi(topology.apis, 'third')).toThrow('--api third names no GraphQL API of the app; it has first (First), second (Second).');
    });
  });
});
