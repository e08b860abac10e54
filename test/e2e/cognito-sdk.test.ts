/**
 * The local Cognito API driven by @aws-sdk/client-cognito-identity-provider, as a backend or a
 * script would: every operation of issue #15, and each bad input with the error Cognito gives.
 */
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, describe, expect, it } from 'vitest';
import { FilesDocument } from '../../client/generated/operations.js';
import { PASSWORD, claims, cognitoAdmin, cognitoClient, cognitoEndpoint, failure, latestCode, mailCount, uniqueEmail } from '../support/cognito.js';
import { graphql } from '../support/graphql-client.js';
import { target } from '../support/target.js';

const client = cognitoClient();
const admin = cognitoAdmin();
afterAll(() => {
  client.destroy();
  admin.destroy();
});
const ClientId = target().userPoolClientId;
const UserPoolId = target().userPoolId;

const passwordSignIn = (username: string, password = PASSWORD) =>
  client.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));

/** Signs up and confirms a user through the mailbox; returns the e-mail and the sub. */
async function confirmedUser(label: string): Promise<{ email: string; sub: string }> {
  const email = uniqueEmail(label);
  const signedUp = await client.send(new SignUpCommand({ ClientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }));
  await client.send(new ConfirmSignUpCommand({ ClientId, Username: email, ConfirmationCode: await latestCode(email) }));
  return { email, sub: signedUp.UserSub ?? '' };
}

describe('given the local user pool from the template (e-mail as username, self sign-up, PreventUserExistenceErrors)', () => {
  it('when a person signs up, reads the code from the mailbox and confirms, then USER_PASSWORD_AUTH returns Cognito-shaped tokens the GraphQL endpoint accepts', async () => {
    const email = uniqueEmail('sdk');
    const signedUp = await client.send(new SignUpCommand({ ClientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }));
    expect(signedUp.UserConfirmed).toBe(false);
    expect(signedUp.UserSub).toMatch(/^[0-9a-f-]{36}$/);
    expect(signedUp.CodeDeliveryDetails).toEqual({ Destination: `${email[0]}***@e***.com`, DeliveryMedium: 'EMAIL', AttributeName: 'email' });

    expect(await failure(passwordSignIn(email))).toEqual({ name: 'UserNotConfirmedException', message: 'User is not confirmed.' });
    expect(await failure(client.send(new ConfirmSignUpCommand({ ClientId, Username: email, ConfirmationCode: '000000x' })))).toEqual({
      name: 'CodeMismatchException',
      message: 'Invalid verification code provided, please try again.',
    });
    await client.send(new ConfirmSignUpCommand({ ClientId, Username: email, ConfirmationCode: await latestCode(email) }));

    const { AuthenticationResult: tokens } = await passwordSignIn(email);
    expect(tokens?.TokenType).toBe('Bearer');
    expect(tokens?.ExpiresIn).toBe(3600);
    const id = claims(tokens?.IdToken);
    expect(id).toMatchObject({
      sub: signedUp.UserSub,
      'cognito:username': signedUp.UserSub,
      email,
      email_verified: true,
      token_use: 'id',
      aud: ClientId,
      iss: `https://cognito-idp.${target().region}.amazonaws.com/${UserPoolId}`,
    });
    const access = claims(tokens?.AccessToken);
    expect(access).toMatchObject({ sub: signedUp.UserSub, username: signedUp.UserSub, client_id: ClientId, token_use: 'access', scope: 'aws.cognito.signin.user.admin' });
    expect(access['origin_jti']).toBe(id['origin_jti']);
    expect(typeof access['event_id']).toBe('string');
    expect(access['auth_time']).toBe(access['iat']);

    const answer = await graphql(target().graphqlUrl, { kind: 'userPool', token: tokens?.IdToken ?? '' }, FilesDocument, { limit: 1 });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ files: { items: [], nextToken: null } });
  });

  it('when the same e-mail signs up again, a password breaks the policy or the code is resent, then Cognito answers each as it does', async () => {
    const email = uniqueEmail('dup');
    await client.send(new SignUpCommand({ ClientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }));
    expect(await failure(client.send(new SignUpCommand({ ClientId, Username: email, Password: PASSWORD })))).toEqual({
      name: 'UsernameExistsException',
      message: 'An account with the given email already exists.',
    });
    expect(await failure(client.send(new SignUpCommand({ ClientId, Username: uniqueEmail(), Password: 'Short-1' })))).toEqual({
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password not long enough',
    });
    expect(await failure(client.send(new SignUpCommand({ ClientId, Username: uniqueEmail(), Password: 'no-upper-case-9x' })))).toEqual({
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password must have uppercase characters',
    });

    const first = await latestCode(email);
    await client.send(new ResendConfirmationCodeCommand({ ClientId, Username: email }));
    expect(await mailCount(email)).toBe(2);
    const second = await latestCode(email);
    if (first !== second) {
      expect((await failure(client.send(new ConfirmSignUpCommand({ ClientId, Username: email, ConfirmationCode: first })))).name).toBe('CodeMismatchException');
    }
    await client.send(new ConfirmSignUpCommand({ ClientId, Username: email, ConfirmationCode: second }));
    expect((await passwordSignIn(email)).AuthenticationResult?.AccessToken).toBeDefined();
  });

  it('when the password is wrong or the user unknown, then both get "Incorrect username or password." (no user existence leaks)', async () => {
    const { email } = await confirmedUser('wrong');
    const wrong = await failure(passwordSignIn(email, 'Wrong-horse-9battery'));
    const unknown = await failure(passwordSignIn(uniqueEmail('nobody')));
    expect(wrong).toEqual({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    expect(unknown).toEqual(wrong);
  });

  it('when a signed-in user reads and updates attributes, changes the password and resets it by code, then each step holds', async () => {
    const { email, sub } = await confirmedUser('self');
    const AccessToken = (await passwordSignIn(email)).AuthenticationResult?.AccessToken ?? '';

    const user = await client.send(new GetUserCommand({ AccessToken }));
    expect(user.Username).toBe(sub);
    expect(user.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }, { Name: 'sub', Value: sub }]));
    await client.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'given_name', Value: 'Ada' }] }));
    expect((await client.send(new GetUserCommand({ AccessToken }))).UserAttributes).toContainEqual({ Name: 'given_name', Value: 'Ada' });

    expect(await failure(client.send(new ChangePasswordCommand({ AccessToken, PreviousPassword: 'Wrong-horse-9battery', ProposedPassword: 'Second-horse-9battery' })))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    await client.send(new ChangePasswordCommand({ AccessToken, PreviousPassword: PASSWORD, ProposedPassword: 'Second-horse-9battery' }));
    expect((await failure(passwordSignIn(email))).name).toBe('NotAuthorizedException');
    expect((await passwordSignIn(email, 'Second-horse-9battery')).AuthenticationResult).toBeDefined();

    const forgot = await client.send(new ForgotPasswordCommand({ ClientId, Username: email }));
    expect(forgot.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
    expect(await failure(client.send(new ConfirmForgotPasswordCommand({ ClientId, Username: email, ConfirmationCode: 'nope00', Password: 'Third-horse-9battery' })))).toEqual({
      name: 'CodeMismatchException',
      message: 'Invalid verification code provided, please try again.',
    });
    await client.send(new ConfirmForgotPasswordCommand({ ClientId, Username: email, ConfirmationCode: await latestCode(email), Password: 'Third-horse-9battery' }));
    expect((await passwordSignIn(email, 'Third-horse-9battery')).AuthenticationResult).toBeDefined();
  });

  it('when tokens are refreshed, revoked and signed out globally, then refresh keeps auth_time and revoked tokens stop working', async () => {
    const { email } = await confirmedUser('refresh');
    const first = (await passwordSignIn(email)).AuthenticationResult;
    const RefreshToken = first?.RefreshToken ?? '';

    const byFlow = await client.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: RefreshToken } }));
    expect(byFlow.AuthenticationResult?.RefreshToken).toBeUndefined();
    const byOperation = await client.send(new GetTokensFromRefreshTokenCommand({ ClientId, RefreshToken }));
    const refreshed = claims(byOperation.AuthenticationResult?.AccessToken);
    expect(refreshed['auth_time']).toBe(claims(first?.AccessToken)['auth_time']);
    expect(refreshed['origin_jti']).toBe(claims(first?.AccessToken)['origin_jti']);

    await client.send(new RevokeTokenCommand({ ClientId, Token: RefreshToken }));
    expect(await failure(client.send(new GetTokensFromRefreshTokenCommand({ ClientId, RefreshToken })))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Refresh Token has been revoked',
    });
    expect(await failure(client.send(new GetUserCommand({ AccessToken: byOperation.AuthenticationResult?.AccessToken })))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });

    const second = (await passwordSignIn(email)).AuthenticationResult;
    await client.send(new GlobalSignOutCommand({ AccessToken: second?.AccessToken }));
    expect((await failure(client.send(new GetTokensFromRefreshTokenCommand({ ClientId, RefreshToken: second?.RefreshToken })))).message).toBe('Refresh Token has been revoked');
    expect((await failure(client.send(new GetUserCommand({ AccessToken: second?.AccessToken })))).message).toBe('Access Token has been revoked');
    expect(await failure(client.send(new GetTokensFromRefreshTokenCommand({ ClientId, RefreshToken: 'not-a-token' })))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Invalid Refresh Token.',
    });
  });

  it('when a flow the client does not allow is asked for, then InvalidParameterException', async () => {
    const { email } = await confirmedUser('flow');
    expect(await failure(client.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: email } })))).toEqual({
      name: 'InvalidParameterException',
      message: 'CUSTOM_AUTH flow not enabled for this client',
    });
  });
  // Lockout ("Password attempts exceeded") is timed: test/unit/cognito/service.test.ts checks it on a fake clock.
});

describe('given the admin operations, signed with the developer credentials', () => {
  it('when an administrator creates a user, then the invitation carries a temporary password and the first sign-in completes NEW_PASSWORD_REQUIRED', async () => {
    const email = uniqueEmail('invited');
    const created = await admin.send(new AdminCreateUserCommand({ UserPoolId, Username: email, UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
    expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    const temporary = await latestCode(email);

    const challenged = await passwordSignIn(email, temporary);
    expect(challenged.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(challenged.Session?.length).toBeGreaterThan(20);
    expect(JSON.parse(challenged.ChallengeParameters?.['requiredAttributes'] ?? 'null')).toEqual([]);
    expect(JSON.parse(challenged.ChallengeParameters?.['userAttributes'] ?? '{}')).toMatchObject({ email });

    expect((await failure(client.send(new RespondToAuthChallengeCommand({ ClientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: challenged.Session, ChallengeResponses: { USERNAME: created.User?.Username ?? '', NEW_PASSWORD: 'weak' } })))).name).toBe('InvalidPasswordException');
    const done = await client.send(
      new RespondToAuthChallengeCommand({ ClientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: challenged.Session, ChallengeResponses: { USERNAME: created.User?.Username ?? '', NEW_PASSWORD: PASSWORD } }),
    );
    expect(claims(done.AuthenticationResult?.IdToken)['email']).toBe(email);
    expect((await admin.send(new AdminGetUserCommand({ UserPoolId, Username: email }))).UserStatus).toBe('CONFIRMED');
  });

  it('when a user is added to approvers, listed, re-passworded, removed from the group and deleted, then tokens and lookups follow', async () => {
    const email = uniqueEmail('approver');
    await client.send(new SignUpCommand({ ClientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }));
    await admin.send(new AdminConfirmSignUpCommand({ UserPoolId, Username: email }));
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: email, GroupName: 'approvers' }));
    const tokens = (await passwordSignIn(email)).AuthenticationResult;
    expect(claims(tokens?.IdToken)['cognito:groups']).toEqual(['approvers']);
    expect(claims(tokens?.AccessToken)['cognito:groups']).toEqual(['approvers']);

    const listed = await admin.send(new ListUsersCommand({ UserPoolId, Filter: `email = "${email}"` }));
    expect(listed.Users?.map((u) => u.UserStatus)).toEqual(['CONFIRMED']);

    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: email, Password: 'Admin-set-9password', Permanent: true }));
    await admin.send(new AdminRemoveUserFromGroupCommand({ UserPoolId, Username: email, GroupName: 'approvers' }));
    expect(claims((await passwordSignIn(email, 'Admin-set-9password')).AuthenticationResult?.IdToken)['cognito:groups']).toBeUndefined();

    expect(await failure(admin.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: email, GroupName: 'no-such-group' })))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Group not found.',
    });
    await admin.send(new AdminDeleteUserCommand({ UserPoolId, Username: email }));
    expect(await failure(admin.send(new AdminGetUserCommand({ UserPoolId, Username: email })))).toEqual({ name: 'UserNotFoundException', message: 'User does not exist.' });
  });

  it('when an admin operation is unsigned or signed with unknown credentials, then it is refused', async () => {
    const response = await fetch(cognitoEndpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUsers' },
      body: JSON.stringify({ UserPoolId }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });

    const stranger = new CognitoIdentityProviderClient({ region: target().region, endpoint: cognitoEndpoint(), credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' }, maxAttempts: 1 });
    expect((await failure(stranger.send(new ListUsersCommand({ UserPoolId })))).name).toBe('UnrecognizedClientException');
    stranger.destroy();
  });
});

describe('given raw HTTP requests', () => {
  const post = (target: string | undefined, body: string) =>
    fetch(cognitoEndpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', ...(target ? { 'x-amz-target': target } : {}) },
      body,
    });

  it('when the body is not JSON or the target unknown, then a 400 with __type and a matching x-amzn-ErrorType', async () => {
    const malformed = await post('AWSCognitoIdentityProviderService.SignUp', '{"ClientId":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('x-amzn-errortype')).toBe('SerializationException:');
    expect(((await malformed.json()) as { __type: string }).__type).toBe('SerializationException');

    const unknown = await post('AWSCognitoIdentityProviderService.DoSomethingElse', '{}');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });

  it('when an operation without output succeeds, then the body is {} (Amplify parses every 2xx body as JSON)', async () => {
    const email = uniqueEmail('empty');
    await client.send(new SignUpCommand({ ClientId, Username: email, Password: PASSWORD }));
    const confirmed = await post('AWSCognitoIdentityProviderService.ConfirmSignUp', JSON.stringify({ ClientId, Username: email, ConfirmationCode: await latestCode(email) }));
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toBe('{}');
  });

  it('when a browser on another localhost port preflights, then the Amplify headers are allowed and the origin echoed', async () => {
    const response = await fetch(cognitoEndpoint(), {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-amz-target,x-amz-user-agent,cache-control,amz-sdk-invocation-id,amz-sdk-request' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(',');
    for (const header of ['content-type', 'x-amz-target', 'x-amz-user-agent', 'cache-control', 'amz-sdk-invocation-id', 'amz-sdk-request']) expect(allowed).toContain(header);
  });

  it("when the JWKS is fetched at the issuer's path, then it holds the key the tokens are signed with", async () => {
    const { email } = await confirmedUser('jwks');
    const token = (await passwordSignIn(email)).AuthenticationResult?.IdToken ?? '';
    const response = await fetch(`${cognitoEndpoint()}/${UserPoolId}/.well-known/jwks.json`);
    const jwks = (await response.json()) as { keys: { kid: string; alg: string; kty: string; use: string }[] };
    const kid = (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string }).kid;
    expect(jwks.keys.filter((k) => k.kid === kid)).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ alg: 'RS256', kty: 'RSA', use: 'sig' });
  });
});
