/**
 * The unmodified aws-amplify v6 Auth against the local Cognito API, configured as the README
 * says (amplify_outputs.json plus `Auth.Cognito.userPoolEndpoint`): sign up, the code from the
 * local mailbox, confirm, sign in with SRP (Amplify's default) and with USER_PASSWORD_AUTH, a
 * user-pool query and subscription, refresh, sign out.
 */
import { AdminCreateUserCommand, GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import {
  confirmResetPassword,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  resetPassword,
  signIn,
  signOut,
  signUp,
  updateUserAttributes,
} from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, subscribe } from '../../client/amplify.js';
import { FilesDocument, OnFileEventDocument } from '../../client/generated/operations.js';
import type { AmplifyOutputs } from '../../local/outputs.js';
import { installTrustingWebSocket } from '../support/amplify.js';
import { PASSWORD, amplifyConfig, cognitoAdmin, cognitoClient, failure, latestCode, uniqueEmail } from '../support/cognito.js';
import { target } from '../support/target.js';

type AuthFlow = 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH';

let restoreWebSocket: () => void;
beforeAll(() => {
  restoreWebSocket = installTrustingWebSocket(target().caPath);
  // The README's line: amplify_outputs.json, with the local user-pool endpoint handed to Auth.
  const outputs = JSON.parse(target().outputs) as AmplifyOutputs;
  Amplify.configure(amplifyConfig(outputs));
});
afterAll(() => restoreWebSocket());

/** Resolves once Amplify reports the subscription's start_ack (AppSync accepted the token). */
function subscriptionAck(fileId: string, errors: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no subscription ack; errors: ${JSON.stringify(errors)}`));
    }, 15_000);
    const stop = Hub.listen('api', ({ payload }) => {
      const data = payload.data as { variables?: Record<string, unknown> } | undefined;
      if (payload.event === 'Subscription ack' && data?.variables?.['fileId'] === fileId) {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  });
}

async function signUpAndConfirm(email: string): Promise<void> {
  const signedUp = await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
  expect(signedUp.isSignUpComplete).toBe(false);
  expect(signedUp.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');
  const confirmed = await confirmSignUp({ username: email, confirmationCode: await latestCode(email) });
  expect(confirmed.isSignUpComplete).toBe(true);
}

describe.each<AuthFlow>(['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'])('given Amplify Auth with authFlowType %s', (authFlowType) => {
  it('when a person signs up, confirms with the mailed code, signs in, queries, subscribes, refreshes and signs out, then each step works unmodified', async () => {
    const email = uniqueEmail(authFlowType === 'USER_SRP_AUTH' ? 'srp' : 'password');
    await signUpAndConfirm(email);

    const signedIn = await signIn({ username: email, password: PASSWORD, options: { authFlowType } });
    expect(signedIn).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const current = await getCurrentUser();
    expect(current.username).toBe(current.userId);
    const session = await fetchAuthSession();
    expect(session.tokens?.idToken?.payload['email']).toBe(email);
    expect(session.userSub).toBe(current.userId);

    // `request` rejects when AppSync answers with errors.
    const listed = await request(FilesDocument, { limit: 5 }, 'userPool');
    expect(listed.files.items).toEqual([]);

    const errors: unknown[] = [];
    const fileId = `sub-${authFlowType}`;
    const acked = subscriptionAck(fileId, errors);
    const subscription = subscribe(OnFileEventDocument, { fileId }, () => undefined, (error) => errors.push(error), 'userPool');
    try {
      await acked;
      expect(errors).toEqual([]);
    } finally {
      subscription.unsubscribe();
    }

    const refreshed = await fetchAuthSession({ forceRefresh: true });
    const before = session.tokens?.accessToken;
    const after = refreshed.tokens?.accessToken;
    expect(after?.toString()).not.toBe(before?.toString());
    expect(after?.payload['auth_time']).toBe(before?.payload['auth_time']);
    expect(after?.payload['origin_jti']).toBe(before?.payload['origin_jti']);

    await signOut();
    expect((await fetchAuthSession()).tokens).toBeUndefined();
    // signOut revoked the refresh token (RevokeToken), and with it the access tokens it issued.
    const sdk = cognitoClient();
    expect((await failure(sdk.send(new GetUserCommand({ AccessToken: after?.toString() })))).message).toBe('Access Token has been revoked');
    sdk.destroy();
  });
});

describe('given Amplify Auth and a bad or unusual sign-in', () => {
  it('when the SRP password is wrong, then Amplify throws NotAuthorizedException "Incorrect username or password."', async () => {
    const email = uniqueEmail('srp-wrong');
    await signUpAndConfirm(email);
    const error = await failure(signIn({ username: email, password: 'Wrong-horse-9battery' }));
    expect(error).toEqual({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
  });

  it('when an administrator created the user, then SRP sign-in asks for a new password and confirmSignIn completes it', async () => {
    const email = uniqueEmail('amplify-invited');
    const admin = cognitoAdmin();
    await admin.send(new AdminCreateUserCommand({ UserPoolId: target().userPoolId, Username: email, UserAttributes: [{ Name: 'email', Value: email }] }));
    admin.destroy();

    const first = await signIn({ username: email, password: await latestCode(email) });
    expect(first.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
    const done = await confirmSignIn({ challengeResponse: PASSWORD });
    expect(done.isSignedIn).toBe(true);
    expect((await fetchAuthSession()).tokens?.idToken?.payload['email']).toBe(email);
    await signOut();
  });

  it('when she forgets her password, then resetPassword mails a code, confirmResetPassword sets a new one, and her attributes can be read and changed', async () => {
    const email = uniqueEmail('amplify-reset');
    await signUpAndConfirm(email);
    const reset = await resetPassword({ username: email });
    expect(reset.nextStep.resetPasswordStep).toBe('CONFIRM_RESET_PASSWORD_WITH_CODE');
    await confirmResetPassword({ username: email, confirmationCode: await latestCode(email), newPassword: 'Brand-new-9password' });

    expect((await signIn({ username: email, password: 'Brand-new-9password' })).isSignedIn).toBe(true);
    await updateUserAttributes({ userAttributes: { given_name: 'Grace' } });
    expect(await fetchUserAttributes()).toMatchObject({ email, email_verified: 'true', given_name: 'Grace' });
    await signOut();
  });
});
