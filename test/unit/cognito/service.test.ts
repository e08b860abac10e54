import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readPoolConfigs } from '../../../local/cognito/pool-config.js';
import { decodeJwt } from 'jose';
import { MAX_SESSIONS, rememberSession } from '../../../local/cognito/context.js';
import { checkPassword } from '../../../local/cognito/users.js';
import { CLIENT_ID, PASSWORD, POOL_ID, SECRET, aConfirmedUser, aPool, aTemplate, secretHash } from './given.js';

const passwordAuth = (USERNAME: string, PASSWORD_: string, extra: Record<string, string> = {}) => ({
  ClientId: CLIENT_ID,
  AuthFlow: 'USER_PASSWORD_AUTH',
  AuthParameters: { USERNAME, PASSWORD: PASSWORD_, ...extra },
});

const claims = (result: Record<string, unknown>) => decodeJwt(String((result['AuthenticationResult'] as { IdToken: string }).IdToken));

describe('given a pool read from a template', () => {
  it("when the client names no flows and no validity, then Cognito's defaults apply (SRP, refresh, custom; 1 h, 1 h, 30 days)", () => {
    const [pool] = readPoolConfigs(aTemplate({ client: { ExplicitAuthFlows: undefined } }), () => ({ userPoolId: 'p', clientId: () => 'c', clientSecret: () => 's' }));
    const client = pool?.clients.get('c');
    expect([...(client?.explicitAuthFlows ?? [])].sort()).toEqual(['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
    expect([client?.idTokenSeconds, client?.accessTokenSeconds, client?.refreshTokenSeconds]).toEqual([3600, 3600, 30 * 86_400]);
    expect(pool?.passwordPolicy.minimumLength).toBe(12);
    expect([...(pool?.groups.keys() ?? [])]).toEqual(['approvers']);
  });

  it('when the client sets validity with units, then tokens last that long', () => {
    const [pool] = readPoolConfigs(
      aTemplate({ client: { AccessTokenValidity: 15, IdTokenValidity: 2, RefreshTokenValidity: 60, TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'hours', RefreshToken: 'minutes' } } }),
      () => ({ userPoolId: 'p', clientId: () => 'c', clientSecret: () => 's' }),
    );
    const client = pool?.clients.get('c');
    expect([client?.accessTokenSeconds, client?.idTokenSeconds, client?.refreshTokenSeconds]).toEqual([900, 7200, 3600]);
  });

  it('when a user signs in on a client with its own validity, then each token expires when the template says and the refresh token an hour later', async () => {
    const given = await aPool(aTemplate({ client: { AccessTokenValidity: 15, IdTokenValidity: 2, RefreshTokenValidity: 60, TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'hours', RefreshToken: 'minutes' } } }));
    await aConfirmedUser(given, 'valid@example.com');
    const result = (await given.call('InitiateAuth', passwordAuth('valid@example.com', PASSWORD)))['AuthenticationResult'] as Record<string, string | number>;
    const lifetime = (token: unknown) => {
      const { exp = 0, iat = 0 } = decodeJwt(String(token));
      return exp - iat;
    };
    expect([result['ExpiresIn'], lifetime(result['AccessToken']), lifetime(result['IdToken'])]).toEqual([900, 900, 7200]);
    const refresh = { ClientId: CLIENT_ID, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: String(result['RefreshToken']) } };
    given.clock.ms += 3599_000;
    expect((await given.call('InitiateAuth', refresh))['AuthenticationResult']).toBeDefined();
    given.clock.ms += 1000;
    expect(await given.failure('InitiateAuth', refresh)).toEqual({ type: 'NotAuthorizedException', message: 'Refresh Token has expired' });
  });
});

describe('given repeated failed sign-ins (Cognito lockout)', () => {
  it('when the fifth fails, then sign-in is refused for 1 s even with the right password, and the next failure doubles the wait', async () => {
    const given = await aPool();
    await aConfirmedUser(given, 'lock@example.com');
    for (let i = 0; i < 5; i += 1) {
      expect((await given.failure('InitiateAuth', passwordAuth('lock@example.com', 'Wrong-horse-9battery'))).message).toBe('Incorrect username or password.');
    }
    expect(await given.failure('InitiateAuth', passwordAuth('lock@example.com', PASSWORD))).toEqual({ type: 'NotAuthorizedException', message: 'Password attempts exceeded' });

    given.clock.ms += 1001;
    expect((await given.failure('InitiateAuth', passwordAuth('lock@example.com', 'Wrong-horse-9battery'))).message).toBe('Incorrect username or password.');
    given.clock.ms += 1001;
    expect((await given.failure('InitiateAuth', passwordAuth('lock@example.com', PASSWORD))).message).toBe('Password attempts exceeded');
    given.clock.ms += 1000;
    const signedIn = await given.call('InitiateAuth', passwordAuth('lock@example.com', PASSWORD));
    expect(signedIn['AuthenticationResult']).toBeDefined();
  });
});

describe('given PreventUserExistenceErrors', () => {
  it('when it is LEGACY and the user is unknown, then UserNotFoundException "User does not exist."', async () => {
    const given = await aPool(aTemplate({ client: { PreventUserExistenceErrors: 'LEGACY' } }));
    expect(await given.failure('InitiateAuth', passwordAuth('nobody@example.com', PASSWORD))).toEqual({ type: 'UserNotFoundException', message: 'User does not exist.' });
    expect((await given.failure('ForgotPassword', { ClientId: CLIENT_ID, Username: 'nobody@example.com' })).type).toBe('UserNotFoundException');
  });

  it('when it is ENABLED and SRP starts for an unknown user, then the challenge looks real (same salt and id each time) and the answer fails', async () => {
    const given = await aPool();
    const start = () => given.call('InitiateAuth', { ClientId: CLIENT_ID, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ghost@example.com', SRP_A: 'abc123' } });
    const first = (await start())['ChallengeParameters'] as Record<string, string>;
    const second = (await start())['ChallengeParameters'] as Record<string, string>;
    expect(first['SALT']).toBe(second['SALT']);
    expect(first['USER_ID_FOR_SRP']).toBe(second['USER_ID_FOR_SRP']);
    expect(first['USER_ID_FOR_SRP']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    const answer = await given.failure('RespondToAuthChallenge', {
      ClientId: CLIENT_ID,
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: { USERNAME: first['USER_ID_FOR_SRP'] ?? '', PASSWORD_CLAIM_SECRET_BLOCK: first['SECRET_BLOCK'] ?? '', TIMESTAMP: 'Sun Dec 6 12:00:00 UTC 2026', PASSWORD_CLAIM_SIGNATURE: 'AAAA' },
    });
    expect(answer).toEqual({ type: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    const reset = await given.call('ForgotPassword', { ClientId: CLIENT_ID, Username: 'ghost@example.com' });
    expect(reset['CodeDeliveryDetails']).toEqual({ Destination: 'g***@e***.com', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    expect(given.mail).toEqual([]);
  });
});

describe('given codes and their lifetimes', () => {
  it('when a sign-up code is used after 24 hours, then ExpiredCodeException; a fresh code works', async () => {
    const given = await aPool();
    await given.call('SignUp', { ClientId: CLIENT_ID, Username: 'late@example.com', Password: PASSWORD });
    given.clock.ms += 24 * 3600 * 1000 + 1;
    expect(await given.failure('ConfirmSignUp', { ClientId: CLIENT_ID, Username: 'late@example.com', ConfirmationCode: given.lastCode('late@example.com') })).toEqual({
      type: 'ExpiredCodeException',
      message: 'Invalid code provided, please request a code again.',
    });
    await given.call('ResendConfirmationCode', { ClientId: CLIENT_ID, Username: 'late@example.com' });
    await given.call('ConfirmSignUp', { ClientId: CLIENT_ID, Username: 'late@example.com', ConfirmationCode: given.lastCode('late@example.com') });
  });

  it('when no reset was requested, then ConfirmForgotPassword says the code expired', async () => {
    const given = await aPool();
    await aConfirmedUser(given, 'reset@example.com');
    expect((await given.failure('ConfirmForgotPassword', { ClientId: CLIENT_ID, Username: 'reset@example.com', ConfirmationCode: '123456', Password: PASSWORD })).type).toBe('ExpiredCodeException');
  });

  it("when an administrator's temporary password is older than the pool allows, then sign-in is refused", async () => {
    const given = await aPool();
    await given.call('AdminCreateUser', { UserPoolId: 'us-east-1_TestPool1', Username: 'temp@example.com', TemporaryPassword: PASSWORD });
    given.clock.ms += 3 * 86_400_000 + 1;
    expect((await given.failure('InitiateAuth', passwordAuth('temp@example.com', PASSWORD))).message).toBe('Temporary password has expired and must be reset by an administrator.');
  });
});

describe('given a client with a secret', () => {
  it('when SECRET_HASH is missing or wrong, then NotAuthorizedException names the client; the right one signs in', async () => {
    const given = await aPool(aTemplate({ client: { GenerateSecret: true } }));
    const sub = await aConfirmedUser(given, 'secret@example.com', { SecretHash: secretHash('secret@example.com') });
    expect((await given.failure('InitiateAuth', passwordAuth('secret@example.com', PASSWORD))).message).toBe(`Client ${CLIENT_ID} is configured with secret but SECRET_HASH was not received`);
    expect((await given.failure('InitiateAuth', passwordAuth('secret@example.com', PASSWORD, { SECRET_HASH: 'bm9wZQ==' }))).message).toBe(`Unable to verify secret hash for client ${CLIENT_ID}`);
    const ok = await given.call('InitiateAuth', passwordAuth('secret@example.com', PASSWORD, { SECRET_HASH: secretHash('secret@example.com') }));
    expect(claims(ok)['sub']).toBe(sub);
    expect(ok['AuthenticationResult']).toBeDefined();
  });

  it('when a refresh comes without SECRET_HASH or ClientSecret, then it is refused; with the hash of the internal username (the sub) or the secret it gives tokens', async () => {
    const given = await aPool(aTemplate({ client: { GenerateSecret: true } }));
    const sub = await aConfirmedUser(given, 'refresh@example.com', { SecretHash: secretHash('refresh@example.com') });
    const signedIn = await given.call('InitiateAuth', passwordAuth('refresh@example.com', PASSWORD, { SECRET_HASH: secretHash('refresh@example.com') }));
    const REFRESH_TOKEN = String((signedIn['AuthenticationResult'] as { RefreshToken: string }).RefreshToken);
    const refresh = (extra: Record<string, string>) => ({ ClientId: CLIENT_ID, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN, ...extra } });

    expect(await given.failure('InitiateAuth', refresh({}))).toEqual({ type: 'NotAuthorizedException', message: `Client ${CLIENT_ID} is configured with secret but SECRET_HASH was not received` });
    expect((await given.failure('InitiateAuth', refresh({ SECRET_HASH: secretHash('someone-else') }))).message).toBe(`Unable to verify secret hash for client ${CLIENT_ID}`);
    expect(claims(await given.call('InitiateAuth', refresh({ SECRET_HASH: secretHash(sub) })))['sub']).toBe(sub);

    expect((await given.failure('GetTokensFromRefreshToken', { ClientId: CLIENT_ID, RefreshToken: REFRESH_TOKEN })).message).toBe(`Unable to verify secret hash for client ${CLIENT_ID}`);
    expect((await given.failure('GetTokensFromRefreshToken', { ClientId: CLIENT_ID, RefreshToken: REFRESH_TOKEN, ClientSecret: `${SECRET}x` })).type).toBe('NotAuthorizedException');
    expect(claims(await given.call('GetTokensFromRefreshToken', { ClientId: CLIENT_ID, RefreshToken: REFRESH_TOKEN, ClientSecret: SECRET }))['sub']).toBe(sub);
  });
});

describe('given a client with a secret the template asked for (GenerateSecret)', () => {
  it('when an administrator describes the client, then the secret it shows computes a SECRET_HASH that signs in; an unknown client is ResourceNotFoundException', async () => {
    const given = await aPool(aTemplate({ client: { GenerateSecret: true } }));
    const described = (await given.call('DescribeUserPoolClient', { UserPoolId: POOL_ID, ClientId: CLIENT_ID }))['UserPoolClient'] as Record<string, unknown>;
    expect(described).toMatchObject({ UserPoolId: POOL_ID, ClientId: CLIENT_ID, ClientSecret: SECRET, PreventUserExistenceErrors: 'ENABLED', AccessTokenValidity: 3600 });
    const hash = createHmac('sha256', String(described['ClientSecret'])).update(`shown@example.com${CLIENT_ID}`).digest('base64');
    await aConfirmedUser(given, 'shown@example.com', { SecretHash: hash });
    expect(claims(await given.call('InitiateAuth', passwordAuth('shown@example.com', PASSWORD, { SECRET_HASH: hash })))['email']).toBe('shown@example.com');
    expect(await given.failure('DescribeUserPoolClient', { UserPoolId: POOL_ID, ClientId: 'nosuchclient' })).toEqual({ type: 'ResourceNotFoundException', message: 'User pool client nosuchclient does not exist.' });
  });
});

describe('given a client without USER_PASSWORD_AUTH', () => {
  it('when that flow is asked for, then InvalidParameterException "USER_PASSWORD_AUTH flow not enabled for this client"', async () => {
    const given = await aPool(aTemplate({ client: { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] } }));
    expect(await given.failure('InitiateAuth', passwordAuth('x@example.com', PASSWORD))).toEqual({
      type: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
  });
});

describe('given a pool whose policy asks for longer passwords than 16 characters', () => {
  it('when an administrator creates a user without a temporary password, then the generated one meets the policy and signs in', async () => {
    const given = await aPool(aTemplate({ pool: { Policies: { PasswordPolicy: { MinimumLength: 24, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } } } }));
    await given.call('AdminCreateUser', { UserPoolId: POOL_ID, Username: 'long@example.com' });
    const temporary = given.lastCode('long@example.com');
    expect(() => checkPassword(given.ctx.pool, temporary)).not.toThrow();
    expect((await given.call('InitiateAuth', passwordAuth('long@example.com', temporary)))['ChallengeName']).toBe('NEW_PASSWORD_REQUIRED');
  });
});

describe('given a pool with an e-mail alias (the username is not the e-mail)', () => {
  it('when a username shaped like an e-mail is signed up or created by an administrator, then InvalidParameterException for both', async () => {
    const given = await aPool(aTemplate({ pool: { UsernameAttributes: undefined, AliasAttributes: ['email'] } }));
    const message = 'Username cannot be of email format, since user pool is configured for email alias.';
    const attributes = [{ Name: 'email', Value: 'eve@example.com' }];
    expect(await given.failure('SignUp', { ClientId: CLIENT_ID, Username: 'eve@example.com', Password: PASSWORD, UserAttributes: attributes })).toEqual({ type: 'InvalidParameterException', message });
    expect(await given.failure('AdminCreateUser', { UserPoolId: POOL_ID, Username: 'eve@example.com', UserAttributes: attributes })).toEqual({ type: 'InvalidParameterException', message });
    const created = await given.call('AdminCreateUser', { UserPoolId: POOL_ID, Username: 'Eve', UserAttributes: attributes });
    expect((created['User'] as { Username: string }).Username).toBe('Eve');
  });
});

describe('given a pool whose username is not an e-mail and which allows admin-created users only', () => {
  it('when someone signs up, then NotAuthorizedException; an admin-created user keeps the typed username', async () => {
    const given = await aPool(aTemplate({ pool: { UsernameAttributes: undefined, AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } } }));
    expect((await given.failure('SignUp', { ClientId: CLIENT_ID, Username: 'ada', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'ada@example.com' }] })).message).toBe(
      'SignUp is not permitted for this user pool',
    );
    const created = await given.call('AdminCreateUser', { UserPoolId: 'us-east-1_TestPool1', Username: 'ada', UserAttributes: [{ Name: 'email', Value: 'ada@example.com' }] });
    expect((created['User'] as { Username: string }).Username).toBe('ada');
  });
});

describe('given groups with precedence', () => {
  it("when a user is in several, then cognito:groups lists them by precedence, lowest first", async () => {
    const template = aTemplate();
    const resources = template.Resources as Record<string, unknown>;
    resources['Admins'] = { Type: 'AWS::Cognito::UserPoolGroup', Properties: { UserPoolId: { Ref: 'Pool' }, GroupName: 'admins', Precedence: 1 } };
    resources['Approvers'] = { Type: 'AWS::Cognito::UserPoolGroup', Properties: { UserPoolId: { Ref: 'Pool' }, GroupName: 'approvers', Precedence: 5 } };
    const given = await aPool(template);
    await aConfirmedUser(given, 'both@example.com');
    await given.call('AdminAddUserToGroup', { UserPoolId: 'us-east-1_TestPool1', Username: 'both@example.com', GroupName: 'approvers' });
    await given.call('AdminAddUserToGroup', { UserPoolId: 'us-east-1_TestPool1', Username: 'both@example.com', GroupName: 'admins' });
    const signedIn = await given.call('InitiateAuth', passwordAuth('both@example.com', PASSWORD));
    expect(claims(signedIn)['cognito:groups']).toEqual(['admins', 'approvers']);
  });
});

describe('given two sign-ups of one e-mail at the same moment (a double-clicked button)', () => {
  it('when both run concurrently, then one user is created and the other gets UsernameExistsException', async () => {
    const given = await aPool();
    const signUp = () => given.call('SignUp', { ClientId: CLIENT_ID, Username: 'twice@example.com', Password: PASSWORD }).then(
      () => 'created',
      (error: { type?: string }) => error.type,
    );
    const outcomes = await Promise.all([signUp(), signUp()]);
    expect(outcomes.sort()).toEqual(['UsernameExistsException', 'created']);
    expect(given.store.all().filter((u) => u.attributes['email'] === 'twice@example.com')).toHaveLength(1);
  });
});

describe('given a client that starts far more SRP challenges than it answers', () => {
  it('when the sessions reach the ceiling, then the oldest is dropped and the newest can still be answered', async () => {
    const given = await aPool();
    const aSession = { kind: 'NEW_PASSWORD_REQUIRED', username: 'x', clientId: CLIENT_ID, expiresAt: Number.MAX_SAFE_INTEGER } as const;
    for (let i = 0; i < MAX_SESSIONS; i += 1) rememberSession(given.ctx, `filler-${i}`, aSession);
    await aConfirmedUser(given, 'srp@example.com');
    const started = await given.call('InitiateAuth', { ClientId: CLIENT_ID, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'srp@example.com', SRP_A: 'abc123' } });
    const secretBlock = (started['ChallengeParameters'] as Record<string, string>)['SECRET_BLOCK'] ?? '';
    expect(given.ctx.sessions.size).toBe(MAX_SESSIONS);
    expect(given.ctx.sessions.has('filler-0')).toBe(false);
    expect(given.ctx.sessions.get(secretBlock)?.kind).toBe('PASSWORD_VERIFIER');
  });
});

