import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import type { E2eTarget } from '../support/target.js';

/**
 * Starts the whole local stack once for the end-to-end suite: fresh, isolated state on free
 * ports, thrown away afterwards. Tests reach it only over HTTP and WebSocket.
 */
export default async function setup(project: TestProject) {
  const stack: LocalStack = await startLocalStack({
    projectDir: fileURLToPath(new URL('../..', import.meta.url)),
    port: 0,
    s3Port: 0,
    ephemeral: true,
    // Lambda's asynchronous retries wait minutes on AWS; the behaviour is the same, sooner.
    asyncRetryDelaysMs: [200, 400],
    log: (line) => {
      if (process.env['E2E_VERBOSE']) console.log(line);
    },
    functionOutput: (text) => {
      if (process.env['E2E_VERBOSE']) process.stdout.write(text);
    },
  });
  const target: E2eTarget = {
    graphqlUrl: stack.graphqlUrl,
    realtimeUrl: stack.realtimeUrl,
    region: stack.region,
    apiKey: stack.apiKey ?? '',
    caPath: stack.caPath,
    stateDir: stack.stateDir,
    userPoolId: stack.userPoolId,
    userPoolClientId: stack.userPoolClientId,
    developerCredentials: stack.developerCredentials,
    outputs: JSON.stringify(stack.outputs),
  };
  project.provide('target', target);
  return async () => {
    await stack.stop();
  };
}
