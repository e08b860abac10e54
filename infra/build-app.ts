import { CfnOutput, type App } from 'aws-cdk-lib';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { ProductionPosture, requireAlarmTarget } from './aspects/production-posture.js';
import { AUTH_MODES } from './constructs/graphql-api.js';
import { addNagPlugins } from './nag/index.js';
import { AppSyncLambdaStack } from './stack.js';
import { isStage, settingsFor, STAGES, type StageSettings } from './stage.js';

export const DEFAULT_STACK_NAME = 'AppsyncLambdaStack';

/** The output listing the API's authorization modes, the default first. */
export const AUTH_MODES_OUTPUT = 'AuthorizationModes';

/**
 * Feature flags the app relies on, set on the app itself so that every way of building it (the
 * CDK CLI, the local stack, tests) behaves the same.
 */
export const FEATURE_FLAGS = {
  // Server access logs are authorized by the log bucket's policy, not by an ACL (the log bucket
  // enforces bucket-owner object ownership, which disables ACLs).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
} as const;

export interface BuildAppOptions {
  /**
   * The directory holding `package.json`, `package-lock.json` and the Lambda handler entries.
   * @default the repository root
   */
  readonly projectRoot?: string;
}

function optionalString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function optionalInteger(app: App, key: string): number | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new Error(`context ${key} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return number;
}

/**
 * Adds the stack to `app`, configured from context:
 * - `stackName`: the stack's name (default `AppsyncLambdaStack`);
 * - `stage`: `dev` or `prod` (default `dev`);
 * - `alarmEmail`: who is e-mailed when an alarm fires; optional in dev (nobody: subscribe to the
 *   topic), required in prod (building prod without it fails and says how to give it);
 * - `provisionedConcurrency`: warm environments for the files API in prod (default 0);
 * - `nag`: `true` runs cdk-nag's AwsSolutions and Serverless packs at synthesis and fails on
 *   any finding (cdk.json sets it for the CDK CLI; the local stack leaves it off);
 * - `bundling`: `false` skips Lambda bundling, for a template-only synth (`cdk synth` always
 *   bundles, and the `aws:` context keys cannot be set from its command line).
 * Must run before anything else is added to `app`.
 */
export function buildApp(app: App, options: BuildAppOptions = {}): AppSyncLambdaStack {
  const stackName: unknown = app.node.tryGetContext('stackName') ?? DEFAULT_STACK_NAME;
  const stage: unknown = app.node.tryGetContext('stage') ?? 'dev';
  const bundling: unknown = app.node.tryGetContext('bundling');
  const nag: unknown = app.node.tryGetContext('nag');

  if (typeof stackName !== 'string' || stackName.length === 0) {
    throw new Error(`context stackName must be a non-empty string, got ${JSON.stringify(stackName)}`);
  }
  if (!isStage(stage)) {
    throw new Error(`context stage must be one of ${STAGES.join(', ')}, got ${JSON.stringify(stage)}`);
  }
  if (bundling === false || bundling === 'false') {
    app.node.setContext(BUNDLING_STACKS, []);
  }
  for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
    app.node.setContext(flag, value);
  }
  const settings: StageSettings = settingsFor(stage, {
    alarmEmail: optionalString(app, 'alarmEmail'),
    provisionedConcurrency: optionalInteger(app, 'provisionedConcurrency'),
  });
  // The posture refuses these settings too; checked here first, before any function is bundled.
  requireAlarmTarget(settings);

  const stack = new AppSyncLambdaStack(app, stackName, {
    stackName,
    stage,
    settings,
    projectRoot: options.projectRoot,
    description: `Files API on AppSync with Lambda resolvers (${stage})`,
    env: {
      account: process.env['CDK_DEFAULT_ACCOUNT'],
      region: process.env['CDK_DEFAULT_REGION'],
    },
  });

  new ProductionPosture(stack, 'Operations', { settings, apiArn: stack.graphqlApi.api.arn });
  new CfnOutput(stack, AUTH_MODES_OUTPUT, {
    value: AUTH_MODES.join(','),
    description: 'The API authorization modes, the default first',
  });

  if (nag === true || nag === 'true') {
    addNagPlugins(app);
  }
  return stack;
}
