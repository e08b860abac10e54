import type { App } from 'aws-cdk-lib';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { AppSyncLambdaStack } from './stack.js';
import { isStage, STAGES } from './stage.js';

export const DEFAULT_STACK_NAME = 'AppsyncLambdaStack';

export interface BuildAppOptions {
  /**
   * The directory holding `package.json`, `package-lock.json` and the Lambda handler entries.
   * @default the repository root
   */
  readonly projectRoot?: string;
}

/**
 * Adds the stack to `app`, configured from context:
 * - `stackName`: the stack's name (default `AppsyncLambdaStack`);
 * - `stage`: `dev` or `prod` (default `dev`);
 * - `bundling`: `false` skips Lambda bundling, for a template-only synth (`cdk synth` always
 *   bundles, and the `aws:` context keys cannot be set from its command line).
 * Must run before anything else is added to `app`.
 */
export function buildApp(app: App, options: BuildAppOptions = {}): AppSyncLambdaStack {
  const stackName: unknown = app.node.tryGetContext('stackName') ?? DEFAULT_STACK_NAME;
  const stage: unknown = app.node.tryGetContext('stage') ?? 'dev';
  const bundling: unknown = app.node.tryGetContext('bundling');

  if (typeof stackName !== 'string' || stackName.length === 0) {
    throw new Error(`context stackName must be a non-empty string, got ${JSON.stringify(stackName)}`);
  }
  if (!isStage(stage)) {
    throw new Error(`context stage must be one of ${STAGES.join(', ')}, got ${JSON.stringify(stage)}`);
  }
  if (bundling === false || bundling === 'false') {
    app.node.setContext(BUNDLING_STACKS, []);
  }

  return new AppSyncLambdaStack(app, stackName, {
    stackName,
    stage,
    projectRoot: options.projectRoot,
    description: `Files API on AppSync with Lambda resolvers (${stage})`,
    env: {
      account: process.env['CDK_DEFAULT_ACCOUNT'],
      region: process.env['CDK_DEFAULT_REGION'],
    },
  });
}
