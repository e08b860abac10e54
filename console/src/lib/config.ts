import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { cognitoCredentialsProvider, cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { parseAmplifyConfig } from 'aws-amplify/utils';
import { installLocalWebSocket } from './websocket.ts';

/** The part of `amplify_outputs.json` the console reads beyond what Amplify itself reads. */
export interface ConsoleOutputs {
  readonly data: { readonly url: string; readonly aws_region: string; readonly api_key?: string; readonly authorization_types: readonly string[]; readonly default_authorization_type: string };
  readonly custom?: { readonly user_pool_endpoint?: string };
}

/** The developer's IAM credentials: only the local stack hands them out, only to its own origin. */
export interface DeveloperCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface ConsoleConfig {
  readonly outputs: ConsoleOutputs;
  /** Present when the console runs against the local stack: the IAM mode and the local pages. */
  readonly developer: DeveloperCredentials | undefined;
}

let current: ConsoleConfig | undefined;

export function consoleConfig(): ConsoleConfig {
  if (!current) throw new Error('The console is not configured yet');
  return current;
}

/**
 * Reads the stack's own `amplify_outputs.json` (served next to the console, locally and on AWS)
 * and configures Amplify with it: one configuration, never a second hand-kept copy.
 */
export async function configure(): Promise<ConsoleConfig> {
  // Both asked at once: the first load waits for the slower of the two, not their sum.
  const credentials = window.location.protocol === 'http:' ? developerCredentials() : Promise.resolve(undefined);
  const response = await fetch('/amplify_outputs.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`amplify_outputs.json: HTTP ${response.status}`);
  const outputs = (await response.json()) as ConsoleOutputs;
  const endpoint = new URL(outputs.data.url);
  const local = endpoint.protocol === 'http:';
  if (local) installLocalWebSocket(endpoint.host);
  const developer = local ? await credentials : undefined;
  performance.mark('console:configured');

  const config = parseAmplifyConfig(outputs as unknown as Parameters<typeof parseAmplifyConfig>[0]);
  const userPoolEndpoint = outputs.custom?.user_pool_endpoint;
  const cognito = config.Auth?.Cognito;
  const resources = (cognito && userPoolEndpoint ? { ...config, Auth: { ...config.Auth, Cognito: { ...cognito, userPoolEndpoint } } } : config) as ResourcesConfig;
  if (resources.Auth) cognitoUserPoolsTokenProvider.setAuthConfig(resources.Auth);
  Amplify.configure(resources, {
    Auth: {
      tokenProvider: cognitoUserPoolsTokenProvider,
      // IAM mode: locally the developer's credentials; on AWS, Cognito's (an identity pool).
      credentialsProvider: developer
        ? {
            getCredentialsAndIdentityId: async () => ({ credentials: { accessKeyId: developer.accessKeyId, secretAccessKey: developer.secretAccessKey } }),
            clearCredentialsAndIdentityId: () => undefined,
          }
        : cognitoCredentialsProvider,
    },
  });
  current = { outputs, developer };
  return current;
}

async function developerCredentials(): Promise<DeveloperCredentials | undefined> {
  const response = await fetch('/_local/credentials', { cache: 'no-store' }).catch(() => undefined);
  if (!response?.ok) return undefined;
  return (await response.json()) as DeveloperCredentials;
}
