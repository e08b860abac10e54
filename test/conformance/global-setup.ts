import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { DEFAULT_OIDC_CLIENT_ID, DEFAULT_OIDC_ISSUER } from './fixture/stack.js';
import { testOutput } from '../support/test-stack.js';
import type { ConformanceTarget } from './support/target.js';

export const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURE_APP = 'test/conformance/fixture/app.ts';
/** The local stack's `ka` interval in the suite: short, so a test sees several. */
export const LOCAL_KEEP_ALIVE_MS = 400;
export const LOCAL_INIT_TIMEOUT_MS = 1_000;

interface AmplifyOutputsFile {
  readonly auth: { readonly aws_region: string; readonly user_pool_id: string; readonly user_pool_client_id: string };
  readonly data: { readonly url: string; readonly api_key?: string; readonly aws_region: string };
  readonly custom?: { readonly conformance?: { readonly oidcIssuer?: string; readonly oidcClientId?: string; readonly realtimeUrl?: string } };
}

/** `https://<id>.appsync-api.<region>.amazonaws.com/graphql` -> its real-time endpoint. */
function realtimeUrlOf(graphqlUrl: string): string {
  const url = new URL(graphqlUrl);
  if (url.hostname.includes('.appsync-api.')) {
    return `wss://${url.hostname.replace('.appsync-api.', '.appsync-realtime-api.')}/graphql`;
  }
  return `wss://${url.host}/graphql/realtime`;
}

async function deployedTarget(outputsPath: string): Promise<ConformanceTarget> {
  const text = await readFile(outputsPath, 'utf8');
  const outputs = JSON.parse(text) as AmplifyOutputsFile;
  const accessKeyId = process.env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = process.env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey || !outputs.data.api_key) {
    throw new Error(
      'A deployed run needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for IAM requests and to create test users) and an api_key in the outputs file',
    );
  }
  const sessionToken = process.env['AWS_SESSION_TOKEN'];
  const custom = outputs.custom?.conformance ?? {};
  return {
    kind: 'deployed',
    graphqlUrl: outputs.data.url,
    realtimeUrl: custom.realtimeUrl ?? realtimeUrlOf(outputs.data.url),
    region: outputs.data.aws_region,
    apiKey: outputs.data.api_key,
    expiredApiKey: undefined,
    caPath: undefined,
    iam: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    outputs: text,
    userPoolId: outputs.auth.user_pool_id,
    userPoolClientId: outputs.auth.user_pool_client_id,
    oidc: { issuer: custom.oidcIssuer ?? DEFAULT_OIDC_ISSUER, clientId: custom.oidcClientId ?? DEFAULT_OIDC_CLIENT_ID },
    keepAliveMs: 60_000,
    initTimeoutMs: undefined,
    stateDir: undefined,
  };
}

function localTarget(stack: LocalStack): ConformanceTarget {
  const expired = stack.apiKeys.find((key) => key.expires * 1000 < Date.now());
  const live = stack.apiKeys.find((key) => key.expires * 1000 > Date.now());
  if (!live || !stack.oidc) throw new Error('The fixture app should define a live API key and an OIDC mode');
  return {
    kind: 'local',
    graphqlUrl: stack.graphqlUrl,
    realtimeUrl: stack.realtimeUrl,
    region: stack.region,
    apiKey: live.id,
    expiredApiKey: expired?.id,
    caPath: stack.caPath,
    iam: stack.developerCredentials,
    outputs: JSON.stringify(stack.outputs),
    userPoolId: stack.userPoolId,
    userPoolClientId: stack.userPoolClientId,
    oidc: { issuer: stack.oidc.issuer, clientId: stack.oidc.clientId ?? '' },
    keepAliveMs: LOCAL_KEEP_ALIVE_MS,
    initTimeoutMs: LOCAL_INIT_TIMEOUT_MS,
    stateDir: stack.stateDir,
  };
}

/** The fixture app on the local stack, fresh and isolated on free ports, as the suite's target. */
export function startFixtureStack(
  options: {
    readonly cdkContext?: Record<string, unknown>;
    readonly hotReload?: { paths: string[] };
    readonly log?: (line: string) => void;
  } = {},
) {
  return startLocalStack({
    projectDir: PROJECT_DIR,
    cdkApp: FIXTURE_APP,
    cdkContext: { 'conformance:local': true, ...options.cdkContext },
    port: 0,
    s3Port: 0,
    ephemeral: true,
    keepAliveMs: LOCAL_KEEP_ALIVE_MS,
    realtime: { initTimeoutMs: LOCAL_INIT_TIMEOUT_MS },
    ...(options.hotReload ? { hotReload: options.hotReload } : {}),
    ...testOutput(options.log ? { log: options.log } : {}),
  });
}

export default async function setup(project: TestProject) {
  const outputsPath = process.env['CONFORMANCE_OUTPUTS'];
  if (outputsPath) {
    project.provide('conformanceTarget', await deployedTarget(outputsPath));
    return;
  }
  const stack = await startFixtureStack();
  project.provide('conformanceTarget', localTarget(stack));
  return async () => {
    await stack.stop();
  };
}
