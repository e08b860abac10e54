import type { TestProject } from 'vitest/node';
import type { E2eTarget } from '../support/target.js';
import { stackTarget, startTestStack } from '../support/test-stack.js';

/**
 * Starts the whole local stack once for the end-to-end suite: fresh, isolated state on free
 * ports, thrown away afterwards. Tests reach it only over HTTP and WebSocket.
 */
export default async function setup(project: TestProject) {
  // Lambda's asynchronous retries wait minutes on AWS; the behaviour is the same, sooner.
  const stack = await startTestStack({ asyncRetryDelaysMs: [200, 400] });
  const target: E2eTarget = {
    ...stackTarget(stack),
    realtimeUrl: stack.realtimeUrl,
    caPath: stack.caPath,
    outputs: JSON.stringify(stack.outputs),
  };
  project.provide('target', target);
  return async () => {
    await stack.stop();
  };
}
