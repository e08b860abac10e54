import { afterAll, describe, expect, it } from 'vitest';
import { apiUserPool } from '../../../local/auth/api-auth.js';
import { createAuthenticator } from '../../../local/auth/authenticator.js';
import { createLocalIssuer } from '../../../local/auth/local-issuer.js';
import type { CfnTemplate } from '../../../local/cdk/template.js';
import { readTopology } from '../../../local/cdk/topology.js';
import type { AuthOutcome } from '../../../local/contracts.js';
import { localNames, localValues } from '../../../local/wiring.js';
import { aConfig, aRequest, aStateDir, removeStateDirs } from './given.js';

/**
 * An app with two user pools, one with two app clients: each API's Cognito mode trusts the pool
 * its UserPoolConfig names, and, as AppSync does, any client of that pool unless
 * `AppIdClientRegex` narrows them.
 */
afterAll(removeStateDirs);

const api = (name: string, userPoolConfig: Record<string, unknown>) => ({
  [name]: { Type: 'AWS::AppSync::GraphQLApi', Properties: { Name: name, AuthenticationType: 'AMAZON_COGNITO_USER_POOLS', UserPoolConfig: userPoolConfig } },
  [`${name}Schema`]: { Type: 'AWS::AppSync::GraphQLSchema', Properties: { ApiId: { 'Fn::GetAtt': [name, 'ApiId'] }, Definition: 'type Query { a: String }' } },
});

const template: CfnTemplate = {
  Resources: {
    Customers: { Type: 'AWS::Cognito::UserPool', Properties: {} },
    Web: { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'Customers' } } },
    Mobile: { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'Customers' } } },
    Staff: { Type: 'AWS::Cognito::UserPool', Properties: {} },
    Backoffice: { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'Staff' } } },
    ...api('Shop', { UserPoolId: { Ref: 'Customers' }, AwsRegion: 'us-east-1', DefaultAction: 'ALLOW' }),
    ...api('Admin', { UserPoolId: { Ref: 'Staff' }, AwsRegion: 'us-east-1', DefaultAction: 'ALLOW' }),
    ...api('WebOnly', { UserPoolId: { Ref: 'Customers' }, AwsRegion: 'us-east-1', DefaultAction: 'ALLOW', AppIdClientRegex: { Ref: 'Web' } }),
  },
};

const topology = readTopology(template);
const names = localNames(topology, 'seed', 'us-east-1');
const values = localValues(template, names, { apis: new Map(), s3: '', dynamodb: '', stepFunctions: '' });
const apiNamed = (logicalId: string) => {
  const found = topology.apis.find((a) => a.logicalId === logicalId);
  if (!found) throw new Error(logicalId);
  return found;
};

const stateDir = await aStateDir();
const issuerFor = (userPoolId: string, clientId: string) => createLocalIssuer({ stateDir, region: 'us-east-1', userPoolId, clientId });
const idTokenOf = async (pool: string, client: string) => {
  const issuer = await issuerFor(values.ref(pool), values.ref(client));
  return (await issuer.issueTokens({ username: 'alice' })).idToken;
};

const outcome = async (apiLogicalId: string, token: string): Promise<AuthOutcome> => {
  const userPool = await apiUserPool(apiNamed(apiLogicalId), topology, names, (v) => (typeof v === 'object' && v !== null && 'Ref' in v ? values.ref(String(v.Ref)) : v), issuerFor);
  const authenticator = createAuthenticator({ ...aConfig(undefined, ['AMAZON_COGNITO_USER_POOLS']), userPool });
  return authenticator.authenticate(aRequest({ authorization: token }));
};

describe('given an app with two user pools and an API on each', () => {
  it('when each pool and client is referenced, then each has an id of its own, the first pool and client those the client config names', () => {
    const ids = ['Customers', 'Web', 'Mobile', 'Staff', 'Backoffice'].map((id) => values.ref(id));

    expect(ids.slice(0, 2)).toEqual([names.userPoolId, names.userPoolClientId]);
    expect(ids.filter((id, i) => ids.indexOf(id) === i)).toHaveLength(5);
  });

  it("when a token of the API's own pool is sent, then it is accepted, from either of the pool's clients", async () => {
    expect((await outcome('Shop', await idTokenOf('Customers', 'Web'))).ok).toBe(true);
    expect((await outcome('Shop', await idTokenOf('Customers', 'Mobile'))).ok).toBe(true);
    expect((await outcome('Admin', await idTokenOf('Staff', 'Backoffice'))).ok).toBe(true);
  });

  it("when a token of the app's other pool is sent, then it is refused for its issuer", async () => {
    const staffOnShop = await outcome('Shop', await idTokenOf('Staff', 'Backoffice'));
    const customerOnAdmin = await outcome('Admin', await idTokenOf('Customers', 'Web'));

    expect([staffOnShop.ok, customerOnAdmin.ok]).toEqual([false, false]);
    expect(staffOnShop.ok ? '' : staffOnShop.reason).toMatch(/iss/);
  });

  it('when the API sets AppIdClientRegex, then only the clients it matches in full are accepted', async () => {
    const web = await outcome('WebOnly', await idTokenOf('Customers', 'Web'));
    const mobile = await outcome('WebOnly', await idTokenOf('Customers', 'Mobile'));

    expect([web.ok, mobile.ok]).toEqual([true, false]);
    expect(mobile.ok ? '' : mobile.reason).toMatch(/not an allowed client id/);
  });
});
