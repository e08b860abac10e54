/**
 * Users outlive the stack: started on a fixed state folder, stopped and started again, the local
 * user pool still has the user, her SRP verifier (Amplify signs in with SRP), her group and her
 * refresh token. No password is written anywhere.
 */
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  ConfirmSignUpCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { PASSWORD, amplifyConfig, claims, cognitoAdmin, cognitoClient, cognitoEndpoint, latestCode, uniqueEmail } from '../support/cognito.js';
import { onStateDir, startTestStack } from '../support/test-stack.js';

const start = (stateDir: string): Promise<LocalStack> =>
  startTestStack({ ...onStateDir(stateDir), log: () => undefined, functionOutput: () => undefined });

describe('given a stack on a fixed state folder with a signed-up user in the approvers group', () => {
  let work: string;
  let stateDir: string;
  const email = uniqueEmail('restart');
  let refreshToken = '';
  let stack: LocalStack | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cognito-restart-'));
    stateDir = join(work, 'state');
    const first = await start(stateDir);
    try {
      const endpoint = cognitoEndpoint(JSON.stringify(first.outputs));
      const client = cognitoClient(endpoint);
      const ClientId = first.userPoolClientId;
      await client.send(new SignUpCommand({ ClientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }));
      await client.send(new ConfirmSignUpCommand({ ClientId, Username: email, ConfirmationCode: await latestCode(email, stateDir) }));
      const admin = cognitoAdmin(endpoint, first.developerCredentials);
      await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: first.userPoolId, Username: email, GroupName: 'approvers' }));
      admin.destroy();
      const signedIn = await client.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }));
      refreshToken = signedIn.AuthenticationResult?.RefreshToken ?? '';
      client.destroy();
    } finally {
      await first.stop();
    }
    stack = await start(stateDir);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('when the stack is started again, then Amplify signs her in with SRP and her token still carries the group', async () => {
    const outputs = stack!.outputs;
    Amplify.configure(amplifyConfig(outputs));

    expect((await signIn({ username: email, password: PASSWORD })).isSignedIn).toBe(true);
    expect((await fetchAuthSession()).tokens?.idToken?.payload['cognito:groups']).toEqual(['approvers']);
    await signOut();
  });

  it('when the refresh token from before the restart is used, then it still gives tokens', async () => {
    const client = cognitoClient(cognitoEndpoint(JSON.stringify(stack!.outputs)));
    const refreshed = await client.send(new GetTokensFromRefreshTokenCommand({ ClientId: stack!.userPoolClientId, RefreshToken: refreshToken }));
    client.destroy();
    expect(claims(refreshed.AuthenticationResult?.IdToken)['email']).toBe(email);
  });

  it('when the state folder is read, then it holds a verifier and salt for her, never the password or the refresh token', async () => {
    const dir = join(stateDir, 'cognito');
    const files = await readdir(dir);
    const contents = (await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8')))).join('\n');
    expect(contents).toContain(email);
    expect(contents).toMatch(/"verifier":"[0-9a-f]+"/);
    expect(contents).not.toContain(PASSWORD);
    expect(contents).not.toContain(refreshToken);
  });
});
