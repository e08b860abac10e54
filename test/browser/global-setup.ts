import type { TestProject } from 'vitest/node';
import type { BrowserTarget } from '../support/browser.js';
import { stackTarget, startTestStack } from '../support/test-stack.js';

/**
 * One local stack for the browser suite (fresh state, free ports), with its console built before
 * the first test opens it: the first build of a clean clone takes tens of seconds.
 */
export default async function setup(project: TestProject) {
  const stack = await startTestStack({ asyncRetryDelaysMs: [200, 400] });
  // The console's page waits for the build anyway; waiting here keeps it out of every test's time.
  await fetch(stack.consoleUrl).then((response) => response.text());
  const target: BrowserTarget = { ...stackTarget(stack), consoleUrl: stack.consoleUrl };
  project.provide('browserTarget', target);
  return async () => {
    await stack.stop();
  };
}
