import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthConfigError, createAuthenticator, type LambdaAuthorizerEvent } from '../../../local/auth/authenticator.js';
import type { LocalIssuer } from '../../../local/auth/local-issuer.js';
import type { AuthOutcome } from '../../../local/contracts.js';
import { aConfig, anIamCredential, anIssuer, aRequest, aSignedRequest, aStateDir, removeStateDirs, SOURCE_IP } from './given.js';

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await anIssuer();
});
afterAll(removeStateDirs);

const rejected = (outcome: AuthOutcome): string => {
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.caller)}`);
  return outcome.reason;
};

describe('given an API with API_KEY auth', () => {
  const authenticator = () => createAuthenticator(aConfig(undefined, ['API_KEY']));

  it('when a valid key is sent, then the caller is an API key caller with a null identity', async () => {
    const outcome = await authenticator().authenticate(aRequest({ 'x-api-key': 'da2-validkey' }));
    expect(outcome).toEqual({ ok: true, caller: { mode: 'API_KEY', identity: null } });
  });

  it('when an expired key is sent, then it is rejected', async () => {
    expect(rejected(await authenticator().authenticate(aRequest({ 'x-api-key': 'da2-expiredkey' })))).toMatch(/expired/);
  });

  it('when an unknown key is sent, then it is rejected', async () => {
    expect(rejected(await authenticator().authenticate(aRequest({ 'x-api-key': 'da2-nope' })))).toMatch(/Unknown/);
  });

  it('when no credentials are sent, then it is rejected', async () => {
    expect(rejected(await authenticator().authenticate(aRequest({})))).toMatch(/Valid authorization header not provided/);
  });
});

describe('given an API with AMAZON_COGNITO_USER_POOLS auth', () => {
  const authenticator = () => createAuthenticator(aConfig(issuer, ['AMAZON_COGNITO_USER_POOLS']));

  it('when an ID token is sent, then the identity has AppSync\'s Cognito shape', async () => {
    const { idToken } = await issuer.issueTokens({ username: 'alice', groups: ['admin'], email: 'a@example.com' });
    const outcome = await authenticator().authenticate(aRequest({ authorization: idToken }));
    if (!outcome.ok || outcome.caller.mode !== 'AMAZON_COGNITO_USER_POOLS') throw new Error(JSON.stringify(outcome));
    const { identity } = outcome.caller;
    expect(Object.keys(identity).sort()).toEqual(
      ['claims', 'defaultAuthStrategy', 'groups', 'issuer', 'sourceIp', 'sub', 'username'].sort(),
    );
    expect(identity).toMatchObject({
      issuer: issuer.issuer,
      username: 'alice',
      sourceIp: [SOURCE_IP],
      defaultAuthStrategy: 'ALLOW',
      groups: ['admin'],
    });
    expect(identity.sub).toBe(identity.claims['sub']);
    expect(identity.claims).toMatchObject({ email: 'a@example.com', token_use: 'id' });
  });

  it('when an access token is sent with a Bearer prefix, then the username comes from the username claim', async () => {
    const { accessToken } = await issuer.issueTokens({ username: 'bob' });
    const outcome = await authenticator().authenticate(aRequest({ authorization: `Bearer ${accessToken}` }));
    if (!outcome.ok || outcome.caller.mode !== 'AMAZON_COGNITO_USER_POOLS') throw new Error(JSON.stringify(outcome));
    expect(outcome.caller.identity).toMatchObject({ username: 'bob', groups: null });
  });

  it('when the same token is sent again from another address, then the cached result carries the new address', async () => {
    const auth = authenticator();
    const { idToken } = await issuer.issueTokens({ username: 'carol' });
    await auth.authenticate(aRequest({ authorization: idToken }));
    const again = await auth.authenticate({ ...aRequest({ authorization: idToken }), sourceIp: '10.0.0.9' });
    if (!again.ok || again.caller.mode !== 'AMAZON_COGNITO_USER_POOLS') throw new Error(JSON.stringify(again));
    expect(again.caller.identity.sourceIp).toEqual(['10.0.0.9']);
  });

  it('when a cached token passes its expiry, then it is rejected', async () => {
    let now = Date.now();
    const auth = createAuthenticator(aConfig(issuer, ['AMAZON_COGNITO_USER_POOLS'], { now: () => now }));
    const { idToken } = await issuer.issueTokens({ username: 'dave' });
    expect((await auth.authenticate(aRequest({ authorization: idToken }))).ok).toBe(true);
    now += 3601_000;
    expect(rejected(await auth.authenticate(aRequest({ authorization: idToken })))).toMatch(/exp/);
  });

  it('when the token is tampered with, then it is rejected', async () => {
    const { idToken } = await issuer.issueTokens({ username: 'erin' });
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin'] })).toString('base64url');
    expect(rejected(await authenticator().authenticate(aRequest({ authorization: `${header}.${forged}.${signature}` })))).toMatch(
      /signature/,
    );
  });

  it('when the token has expired, then it is rejected', async () => {
    const { idToken } = await issuer.issueTokens({ username: 'frank', issuedAt: Math.floor(Date.now() / 1000) - 7200 });
    expect(rejected(await authenticator().authenticate(aRequest({ authorization: idToken })))).toMatch(/exp/);
  });

  it('when the token was issued for another client, then it is rejected', async () => {
    const other = await anIssuer({ stateDir: await aStateDir(), clientId: 'someotherclient' });
    const config = aConfig(issuer, ['AMAZON_COGNITO_USER_POOLS']);
    const auth = createAuthenticator({ ...config, userPool: { ...config.userPool!, jwks: other.jwks } });
    const { idToken, accessToken } = await other.issueTokens({ username: 'gina' });
    expect(rejected(await auth.authenticate(aRequest({ authorization: idToken })))).toMatch(/aud/);
    expect(rejected(await auth.authenticate(aRequest({ authorization: accessToken })))).toMatch(/client_id/);
  });

  it('when the token comes from another pool signed with the same key, then it is rejected', async () => {
    const otherPool = await anIssuer({ userPoolId: 'local_otherpool' });
    const config = aConfig(issuer, ['AMAZON_COGNITO_USER_POOLS']);
    const auth = createAuthenticator({ ...config, userPool: { ...config.userPool!, jwks: otherPool.jwks } });
    const { idToken } = await otherPool.issueTokens({ username: 'hank' });
    expect(rejected(await auth.authenticate(aRequest({ authorization: idToken })))).toMatch(/iss/);
  });

  it('when the token is signed by an unknown key, then it is rejected', async () => {
    const stranger = await anIssuer();
    const { idToken } = await stranger.issueTokens({ username: 'ivy' });
    expect(rejected(await authenticator().authenticate(aRequest({ authorization: idToken })))).toMatch(/Invalid user pool token/);
  });

  it('when the token has no token_use, then it is rejected', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const token = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer.issuer)
      .setAudience('localclient123')
      .setExpirationTime('1h')
      .sign(privateKey);
    const config = aConfig(issuer, ['AMAZON_COGNITO_USER_POOLS']);
    const auth = createAuthenticator({ ...config, userPool: { ...config.userPool!, jwks: createLocalJWKSet({ keys: [jwk] }) } });
    expect(rejected(await auth.authenticate(aRequest({ authorization: token })))).toMatch(/token_use/);
  });
});

describe('given an API with AWS_IAM auth', () => {
  const authenticator = () => createAuthenticator(aConfig(undefined, ['AWS_IAM']));

  it('when a request is signed like an SDK client signs it, then the caller has AppSync\'s IAM identity', async () => {
    const outcome = await authenticator().authenticate(await aSignedRequest());
    expect(outcome).toEqual({
      ok: true,
      caller: {
        mode: 'AWS_IAM',
        identity: {
          accountId: '123456789012',
          cognitoIdentityPoolId: null,
          cognitoIdentityId: null,
          sourceIp: [SOURCE_IP],
          username: 'AIDALOCALBACKEND00001',
          userArn: 'arn:aws:iam::123456789012:user/local-backend',
          cognitoIdentityAuthType: null,
          cognitoIdentityAuthProvider: null,
        },
      },
    });
  });

  it('when the real-time connect request is signed, then it is accepted', async () => {
    const request = await aSignedRequest({
      path: '/graphql/connect',
      body: '{}',
      headers: { accept: 'application/json, text/javascript', 'content-encoding': 'amz-1.0', 'content-type': 'application/json; charset=UTF-8' },
    });
    expect((await authenticator().authenticate(request)).ok).toBe(true);
  });

  it('when session credentials are used, then the signed token is accepted', async () => {
    const request = await aSignedRequest({ sessionToken: 'FwoGZXIvYXdzEXAMPLE' });
    expect(request.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEXAMPLE');
    expect((await authenticator().authenticate(request)).ok).toBe(true);
  });

  it('when the key requires a session token and another is sent, then it is rejected', async () => {
    const auth = createAuthenticator(
      aConfig(undefined, ['AWS_IAM'], {
        iam: { region: 'us-east-1', credentials: [{ ...anIamCredential, sessionToken: 'expected-token' }] },
      }),
    );
    expect(rejected(await auth.authenticate(await aSignedRequest({ sessionToken: 'other-token' })))).toMatch(/security token/);
    expect((await auth.authenticate(await aSignedRequest({ sessionToken: 'expected-token' }))).ok).toBe(true);
  });

  it('when the secret is wrong, then it is rejected', async () => {
    const request = await aSignedRequest({ secretAccessKey: 'not-the-secret' });
    expect(rejected(await authenticator().authenticate(request))).toMatch(/signature/);
  });

  it('when the body is changed after signing, then it is rejected', async () => {
    const request = await aSignedRequest();
    const tampered = { ...request, body: request.body.replace('publish', 'unpublish') };
    expect(rejected(await authenticator().authenticate(tampered))).toMatch(/sha256|signature/);
  });

  it('when the body is changed and the checksum header dropped, then it is rejected', async () => {
    const request = await aSignedRequest();
    const { 'x-amz-content-sha256': _dropped, ...headers } = request.headers;
    const signedHeaders = request.headers['authorization']!.replace('x-amz-content-sha256;', '');
    const tampered = { ...request, headers: { ...headers, authorization: signedHeaders }, body: '{"query":"{ other }"}' };
    expect(rejected(await authenticator().authenticate(tampered))).toMatch(/signature/);
  });

  it('when a signed header is changed, then it is rejected', async () => {
    const request = await aSignedRequest();
    const tampered = { ...request, headers: { ...request.headers, 'content-type': 'text/plain' } };
    expect(rejected(await authenticator().authenticate(tampered))).toMatch(/signature/);
  });

  it('when a signed header is missing, then it is rejected', async () => {
    const request = await aSignedRequest();
    const { accept: _accept, ...headers } = request.headers;
    expect(rejected(await authenticator().authenticate({ ...request, headers }))).toMatch(/missing/);
  });

  it('when the signature is more than 15 minutes old, then it is rejected', async () => {
    const request = await aSignedRequest({ signingDate: new Date(Date.now() - 16 * 60_000) });
    expect(rejected(await authenticator().authenticate(request))).toMatch(/expired/);
  });

  it('when the signature is 14 minutes old, then it is accepted', async () => {
    const request = await aSignedRequest({ signingDate: new Date(Date.now() - 14 * 60_000) });
    expect((await authenticator().authenticate(request)).ok).toBe(true);
  });

  it('when the access key is unknown, then it is rejected', async () => {
    const request = await aSignedRequest({ accessKeyId: 'AKIDUNKNOWN000000000' });
    expect(rejected(await authenticator().authenticate(request))).toMatch(/unknown access key/);
  });

  it('when the signature is scoped to another service or region, then it is rejected', async () => {
    expect(rejected(await authenticator().authenticate(await aSignedRequest({ service: 'execute-api' })))).toMatch(/service/);
    expect(rejected(await authenticator().authenticate(await aSignedRequest({ region: 'eu-west-1' })))).toMatch(/region/);
  });
});

describe('given an API whose enabled modes do not include the credentials sent', () => {
  it('when a valid IAM request reaches an API_KEY-only API, then it is rejected', async () => {
    const auth = createAuthenticator(aConfig(issuer, ['API_KEY']));
    expect(rejected(await auth.authenticate(await aSignedRequest()))).toMatch(/no credentials for an enabled mode/);
  });

  it('when a valid user-pool token reaches an IAM-only API, then it is rejected', async () => {
    const auth = createAuthenticator(aConfig(issuer, ['AWS_IAM']));
    const { idToken } = await issuer.issueTokens({ username: 'alice' });
    expect((await auth.authenticate(aRequest({ authorization: idToken }))).ok).toBe(false);
  });

  it('when a valid API key reaches a user-pool-only API, then it is rejected', async () => {
    const auth = createAuthenticator(aConfig(issuer, ['AMAZON_COGNITO_USER_POOLS']));
    expect((await auth.authenticate(aRequest({ 'x-api-key': 'da2-validkey' }))).ok).toBe(false);
  });
});

describe('given an API with several modes', () => {
  const auth = () => createAuthenticator(aConfig(issuer, ['AMAZON_COGNITO_USER_POOLS', 'AWS_IAM', 'API_KEY']));

  it('when each kind of credential is sent, then each is admitted by its own mode', async () => {
    const { idToken } = await issuer.issueTokens({ username: 'alice' });
    const modeOf = async (outcome: Promise<AuthOutcome>) => {
      const result = await outcome;
      return result.ok ? result.caller.mode : result.reason;
    };
    expect(await modeOf(auth().authenticate(aRequest({ authorization: idToken })))).toBe('AMAZON_COGNITO_USER_POOLS');
    expect(await modeOf(auth().authenticate(await aSignedRequest()))).toBe('AWS_IAM');
    expect(await modeOf(auth().authenticate(aRequest({ 'x-api-key': 'da2-validkey' })))).toBe('API_KEY');
  });

  it('when an enabled mode is not configured, then creation fails listing every problem', () => {
    const create = () =>
      createAuthenticator({ defaultMode: 'AWS_LAMBDA', additionalModes: ['OPENID_CONNECT'], apiKeys: [] });
    expect(create).toThrow(AuthConfigError);
    expect(create).toThrow(/AWS_LAMBDA.*OPENID_CONNECT|OPENID_CONNECT.*AWS_LAMBDA/);
  });
});

describe('given an API with OPENID_CONNECT auth', () => {
  it('when a token from the provider is sent, then the identity is {sub, issuer, claims}', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'oidc1', alg: 'RS256' };
    const token = await new SignJWT({ email: 'o@example.com' })
      .setProtectedHeader({ alg: 'RS256', kid: 'oidc1' })
      .setIssuer('https://idp.example.com')
      .setSubject('oidc-user')
      .setAudience('my-client')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const auth = createAuthenticator({
      defaultMode: 'OPENID_CONNECT',
      additionalModes: [],
      apiKeys: [],
      oidc: { issuer: 'https://idp.example.com', clientId: 'my-client', jwks: { keys: [jwk] } },
    });
    const outcome = await auth.authenticate(aRequest({ authorization: token }));
    expect(outcome).toMatchObject({
      ok: true,
      caller: { mode: 'OPENID_CONNECT', identity: { sub: 'oidc-user', issuer: 'https://idp.example.com', claims: { email: 'o@example.com' } } },
    });
  });
});

describe('given an API with AWS_LAMBDA auth', () => {
  const lambdaAuth = (invoke: (event: LambdaAuthorizerEvent) => Promise<unknown>) =>
    createAuthenticator({
      defaultMode: 'AWS_LAMBDA',
      additionalModes: [],
      apiKeys: [],
      lambdaAuthorizer: { apiId: 'local', accountId: '123456789012', invoke, identityValidationExpression: 'custom-.*' },
    });

  it('when the authorizer allows, then the caller carries its resolverContext and deniedFields', async () => {
    const invoke = vi.fn(async (_event: LambdaAuthorizerEvent) => ({
      isAuthorized: true,
      resolverContext: { tenant: 't1' },
      deniedFields: ['arn:aws:appsync:us-east-1:123456789012:apis/local/types/Query/fields/secret', 'Mutation.drop'],
    }));
    const auth = lambdaAuth(invoke);
    const outcome = await auth.authenticate(aRequest({ authorization: 'custom-abc' }, '{"query":"{ me }","operationName":"Me"}'));
    await auth.authenticate(aRequest({ authorization: 'custom-abc' }));

    expect(outcome).toEqual({
      ok: true,
      caller: { mode: 'AWS_LAMBDA', identity: { resolverContext: { tenant: 't1' } }, deniedFields: ['Query.secret', 'Mutation.drop'] },
    });
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(invoke.mock.calls[0]?.[0]).toMatchObject({
      authorizationToken: 'custom-abc',
      requestContext: { apiId: 'local', accountId: '123456789012', queryString: '{ me }', operationName: 'Me', variables: {} },
    });
  });

  it('when the token fails identityValidationExpression or the authorizer denies, then it is rejected', async () => {
    const invoke = vi.fn(async (_event: LambdaAuthorizerEvent) => ({ isAuthorized: false }));
    const auth = lambdaAuth(invoke);
    expect(rejected(await auth.authenticate(aRequest({ authorization: 'other' })))).toMatch(/identityValidationExpression/);
    expect(invoke).not.toHaveBeenCalled();
    expect(rejected(await auth.authenticate(aRequest({ authorization: 'custom-x' })))).toMatch(/denied/);
  });
});
