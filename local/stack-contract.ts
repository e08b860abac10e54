/**
 * What `startLocalStack` (stack.ts) takes and gives: the contract `npm start`, the tests, the
 * benchmark and the scripts build on.
 */
import type { IssuedTokens } from './auth/local-issuer.js';
import type { OidcTokenInput } from './auth/oidc-issuer.js';
import type { Topology } from './cdk/topology.js';
import type { LocalMessagingOptions, Messaging } from './messaging/index.js';
import type { AmplifyOutputs, NamedApi } from './outputs.js';
import type { Timeline } from './startup/timeline.js';
import type { FaultConfig } from './faults/rules.js';

export interface LocalStackOptions {
  /** The repository root (cdk.json, infra/, schema/). */
  readonly projectDir: string;
  /** GraphQL port; 0 picks a free one. @default 4000 */
  readonly port?: number;
  /** S3 port; 0 picks a free one. @default 4569 */
  readonly s3Port?: number;
  /** Keys, certificates and (unless ephemeral) data. @default <projectDir>/.local */
  readonly stateDir?: string;
  /** Fresh, isolated state that is thrown away on stop (tests). @default false */
  readonly ephemeral?: boolean;
  /** @default us-east-1 */
  readonly region?: string;
  /** Delays between Lambda's asynchronous retries (S3 notifications). AWS: about 1 and 2 minutes. */
  readonly asyncRetryDelaysMs?: readonly number[];
  /** Interval of real-time `ka` messages. @default 60_000 */
  readonly keepAliveMs?: number;
  /** Writes amplify_outputs.json to this path. @default <projectDir>/amplify_outputs.json unless ephemeral */
  readonly outputsPath?: string | null;
  readonly log?: (line: string) => void;
  /** Receives the functions' own output (their JSON log lines). @default this process's stdout */
  readonly functionOutput?: (text: string) => void;
  /** SNS, SQS, event source mappings and schedules: the endpoint's port and the local differences (docs/pipeline.md). */
  readonly messaging?: LocalMessagingOptions;
  /** Fault injection, applied by the workers that host the functions (local/faults/). Tests only. */
  readonly faults?: FaultConfig;
  /** Step Functions API port; 0 picks a free one. @default 8083 (0 when ephemeral) */
  readonly stepFunctionsPort?: number;
  /** Every Step Functions retry waits this long instead of the definition's interval (tests). @default the definition's */
  readonly stepFunctionsRetryIntervalMs?: number;
  /** The CDK app to run, relative to projectDir (a test fixture's own app). @default cdk.json's app, infra/app.ts */
  readonly cdkApp?: string;
  /** Extra CDK context for synthesis. */
  readonly cdkContext?: Readonly<Record<string, unknown>>;
  /** A CDK app in a folder of its own (`--app-dir`): its cdk.json's command, node_modules and context (local/cdk/app-command.ts). */
  readonly appDir?: string;
  /** The GraphQL API amplify_outputs.json describes, by name or logical id. @default the first in template order */
  readonly api?: string;
  /** Real-time endpoint settings AppSync fixes (tests shorten the waits). */
  readonly realtime?: {
    /** Close a connection that sends no `connection_init` within this. @default 10_000 */
    readonly initTimeoutMs?: number;
  };
  /**
   * Edits take effect without a restart: handlers within a second; the schema and resolver code
   * after a re-synthesis. `paths` (relative to projectDir) are watched for the latter.
   * @default on, watching cdk.json's watch.include, unless ephemeral
   */
  readonly hotReload?: boolean | { readonly paths: readonly string[] };
  /** Records where start-up time goes (`npm start` writes it out with LOCAL_STACK_TIMELINE). */
  readonly timeline?: Timeline;
}

export interface LocalStack {
  /** The web console (console/), on the GraphQL port. */
  readonly consoleUrl: string;
  /** The URLs and key of the API amplify_outputs.json describes (`api`); `apis` has every one. */
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  /** The local Step Functions API: GetExecutionHistory and friends, with the developer credentials. */
  readonly stepFunctionsEndpoint: string;
  readonly region: string;
  readonly apiKey: string | undefined;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly caPath: string;
  readonly stateDir: string;
  readonly outputs: AmplifyOutputs;
  /** IAM credentials with full access, for operators and tests. */
  readonly developerCredentials: { accessKeyId: string; secretAccessKey: string };
  readonly topology: Topology;
  /** Every GraphQL API of the app, in template order, each on its own path (local/apis.ts). */
  readonly apis: readonly NamedApi[];
  /** The SQS and SNS endpoint (AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_SNS). */
  readonly messagingEndpoint: string;
  /** The local queues and topics, for tests that look inside. */
  readonly messaging: Messaging;
  /** Every API key of the template, with its expiry (epoch seconds). */
  readonly apiKeys: readonly { readonly id: string; readonly expires: number }[];
  /** The OPENID_CONNECT mode's issuer and client id, when the API (`api`) has that mode. */
  readonly oidc: { readonly issuer: string; readonly clientId: string | undefined } | undefined;
  issueTokens(username: string, groups?: readonly string[]): Promise<IssuedTokens>;
  /** A token of the OIDC mode's provider (the local stand-in signs it). */
  issueOidcToken(input: OidcTokenInput): Promise<string>;
  stop(): Promise<void>;
}
