import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import type { BrowserTarget } from '../support/browser.js';

/**
 * One local stack for the browser suite (fresh state, free ports), with its console built before
 * the first test opens it: the first build of a clean clone takes tens of seconds.
 */
export default async function setup(project: TestProject) {
  const projectDir = fileURLToPath(new URL('../..', import.meta.url));
  const stack: LocalStack = await startLocalStack({
    projectDir,
    port: 0,
    s3Port: 0,
    ephemeral: true,
    asyncRetryDelaysMs: [200, 400],
    log: (line) => {
      if (process.env['E2E_VERBOSE']) console.log(line);
    },
    functionOutput: (text) => {
      if (process.env['E2E_VERBOSE']) process.stdout.write(text);
    },
  });
  // The console's page waits for the build anyway; waiting here keeps it out of every test's time.
  await fetch(stack.consoleUrl).then((response) => response.text());
  const target: BrowserTarget = {
    consoleUrl: stack.consoleUrl,
    graphqlUrl: stack.graphqlUrl,
    region: stack.region,
    apiKey: stack.apiKey ?? '',
    stateDir: stack.stateDir,
    userPoolId: stack.userPoolId,
    userPoolClientId: stack.userPoolClientId,
    developerCredentials: stack.developerCredentials,
  };
  project.provide('browserTarget', target);
  return async () => {
    await stack.stop();
  };
}
