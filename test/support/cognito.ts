import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { ResourcesConfig } from 'aws-amplify';
import { parseAmplifyConfig } from 'aws-amplify/utils';
import { decodeJwt } from 'jose';
import { readMailbox } from '../../local/cognito/index.js';
import type { AmplifyOutputs } from '../../local/outputs.js';
import { target } from './target.js';

/** Meets the pool's policy: 12+ characters, every class. */
export const PASSWORD = 'Correct-horse-9battery';

/** The local Cognito endpoint, as amplify_outputs.json hands it to apps. */
export function cognitoEndpoint(outputs: string = target().outputs): string {
  const endpoint = (JSON.parse(outputs) as AmplifyOutputs).custom?.user_pool_endpoint;
  if (endpoint === undefined) throw new Error('amplify_outputs.json has no custom.user_pool_endpoint');
  return endpoint;
}

/** What the README tells an app to pass to `Amplify.configure`: the outputs, with the local user-pool endpoint. */
export function amplifyConfig(outputs: AmplifyOutputs): ResourcesConfig {
  const config = parseAmplifyConfig(outputs);
  return { ...config, Auth: { Cognito: { ...config.Auth!.Cognito, userPoolEndpoint: outputs.custom?.user_pool_endpoint } } } as ResourcesConfig;
}

/** An SDK client for the public operations (they are not signed; the credentials are never used). */
export function cognitoClient(endpoint = cognitoEndpoint()): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: target().region,
    endpoint,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    maxAttempts: 1,
  });
}

/** An SDK client signing with the stack's developer credentials (the admin operations). */
export function cognitoAdmin(endpoint = cognitoEndpoint(), credentials = target().developerCredentials): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({ region: target().region, endpoint, credentials, maxAttempts: 1 });
}

export const uniqueEmail = (label = 'user'): string => `${label}-${randomUUID().slice(0, 8)}@example.com`;

/** The code (or temporary password) of the latest message the local mailbox holds for `address`. */
export async function latestCode(address: string, stateDir: string = target().stateDir): Promise<string> {
  const messages = (await readMailbox(stateDir)).filter((m) => m.to === address);
  const last = messages.at(-1);
  if (last === undefined) throw new Error(`no mail to ${address}`);
  return last.code;
}

export const mailCount = async (address: string, stateDir: string = target().stateDir): Promise<number> =>
  (await readMailbox(stateDir)).filter((m) => m.to === address).length;

export const claims = (token: string | undefined): Record<string, unknown> => {
  if (token === undefined) throw new Error('no token');
  return decodeJwt(token);
};

/** The error an SDK call failed with: its name and message. */
export async function failure(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string };
    return { name: e.name, message: e.message };
  }
  throw new Error('expected the call to fail');
}
