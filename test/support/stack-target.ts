/**
 * What a stack's clients need of it as plain data, apart from test-stack.ts: this module imports
 * local/stack.ts for its types only, so the bench's stack target can use it before it has
 * instrumented the workers the stack module makes.
 */
import type { LocalStack } from '../../local/stack.js';

/** What every suite's tests need of a stack its global setup started, as plain data (vitest's `provide` passes only that). */
export interface StackTarget {
  readonly graphqlUrl: string;
  readonly region: string;
  readonly apiKey: string;
  readonly stateDir: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly developerCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export const stackTarget = (stack: LocalStack): StackTarget => ({
  graphqlUrl: stack.graphqlUrl,
  region: stack.region,
  apiKey: stack.apiKey ?? '',
  stateDir: stack.stateDir,
  userPoolId: stack.userPoolId,
  userPoolClientId: stack.userPoolClientId,
  developerCredentials: stack.developerCredentials,
});
