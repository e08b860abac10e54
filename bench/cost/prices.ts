/**
 * AWS prices for us-east-1 (US East, N. Virginia), on-demand, as dated facts: each names the
 * pricing page it comes from and what the figure was read from. `free` is the monthly allowance
 * that does not expire after the account's first year (0 where there is none, or where it lasts
 * twelve months only). Change a price here, with its date and source; docs/cost.md shows them all.
 */

export interface Price {
  readonly service: string;
  readonly item: string;
  /** USD per `unit`. */
  readonly usd: number;
  readonly unit: string;
  /** How many units of usage one `unit` is (e.g. 1e6 for "per million requests"). */
  readonly per: number;
  /** Monthly allowance in usage units that never expires; 0 when none. */
  readonly free: number;
  readonly page: string;
  /** When the figure was read, and from what. */
  readonly asOf: string;
}

const READ = '2026-12-06';
const STORED = `${READ}, from the page's text in the stored web corpus`;
const RENDERED = `${READ}; the page renders this rate client-side, so the figure is the published rate in effect since the date given, not read from the text`;

export const PRICES = {
  lambdaRequests: { service: 'Lambda', item: 'requests', usd: 0.2, unit: '1M requests', per: 1e6, free: 1e6, page: 'https://aws.amazon.com/lambda/pricing/', asOf: STORED },
  lambdaArmGbSecond: { service: 'Lambda', item: 'duration, arm64', usd: 0.0000133334, unit: 'GB-second', per: 1, free: 400_000, page: 'https://aws.amazon.com/lambda/pricing/', asOf: `${RENDERED} (arm64 first tier, 2021-09-29)` },
  lambdaX86GbSecond: { service: 'Lambda', item: 'duration, x86_64', usd: 0.0000166667, unit: 'GB-second', per: 1, free: 400_000, page: 'https://aws.amazon.com/lambda/pricing/', asOf: STORED },
  dynamoWrite: { service: 'DynamoDB', item: 'on-demand write request units', usd: 0.625, unit: '1M WRU', per: 1e6, free: 0, page: 'https://aws.amazon.com/dynamodb/pricing/on-demand/', asOf: `${RENDERED} (after the 2024-11-01 reduction)` },
  dynamoRead: { service: 'DynamoDB', item: 'on-demand read request units', usd: 0.125, unit: '1M RRU', per: 1e6, free: 0, page: 'https://aws.amazon.com/dynamodb/pricing/on-demand/', asOf: `${RENDERED} (after the 2024-11-01 reduction)` },
  dynamoStorage: { service: 'DynamoDB', item: 'storage (Standard table class)', usd: 0.25, unit: 'GB-month', per: 1, free: 25, page: 'https://aws.amazon.com/dynamodb/pricing/', asOf: STORED },
  s3Storage: { service: 'S3', item: 'Standard storage, first 50 TB', usd: 0.023, unit: 'GB-month', per: 1, free: 0, page: 'https://aws.amazon.com/s3/pricing/', asOf: RENDERED },
  s3Put: { service: 'S3', item: 'PUT, COPY, POST, LIST requests', usd: 0.005, unit: '1,000 requests', per: 1_000, free: 0, page: 'https://aws.amazon.com/s3/pricing/', asOf: RENDERED },
  s3Get: { service: 'S3', item: 'GET and all other requests', usd: 0.0004, unit: '1,000 requests', per: 1_000, free: 0, page: 'https://aws.amazon.com/s3/pricing/', asOf: RENDERED },
  snsPublish: { service: 'SNS', item: 'standard topic publishes (deliveries to SQS are free)', usd: 0.5, unit: '1M publishes', per: 1e6, free: 1e6, page: 'https://aws.amazon.com/sns/pricing/', asOf: RENDERED },
  sqsRequests: { service: 'SQS', item: 'standard queue requests', usd: 0.4, unit: '1M requests', per: 1e6, free: 1e6, page: 'https://aws.amazon.com/sqs/pricing/', asOf: RENDERED },
  sfnTransitions: { service: 'Step Functions', item: 'Standard workflow state transitions', usd: 0.025, unit: '1,000 transitions', per: 1_000, free: 4_000, page: 'https://aws.amazon.com/step-functions/pricing/', asOf: STORED },
  appsyncOperations: { service: 'AppSync', item: 'query and data modification operations', usd: 4, unit: '1M operations', per: 1e6, free: 0, page: 'https://aws.amazon.com/appsync/pricing/', asOf: `${STORED} (its free tier lasts 12 months)` },
  appsyncRealtime: { service: 'AppSync', item: 'real-time updates', usd: 2, unit: '1M updates', per: 1e6, free: 0, page: 'https://aws.amazon.com/appsync/pricing/', asOf: STORED },
  appsyncConnection: { service: 'AppSync', item: 'real-time connection-minutes', usd: 0.08, unit: '1M connection-minutes', per: 1e6, free: 0, page: 'https://aws.amazon.com/appsync/pricing/', asOf: STORED },
  logsIngest: { service: 'CloudWatch Logs', item: 'ingestion (standard class; Lambda logs first tier)', usd: 0.5, unit: 'GB', per: 1, free: 5, page: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: RENDERED },
  logsStorage: { service: 'CloudWatch Logs', item: 'storage', usd: 0.03, unit: 'GB-month', per: 1, free: 0, page: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: RENDERED },
  alarms: { service: 'CloudWatch', item: 'standard-resolution alarm metrics', usd: 0.1, unit: 'alarm-month', per: 1, free: 10, page: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: RENDERED },
  dashboards: { service: 'CloudWatch', item: 'dashboards', usd: 3, unit: 'dashboard-month', per: 1, free: 3, page: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: RENDERED },
  xrayTraces: { service: 'X-Ray', item: 'traces recorded', usd: 5, unit: '1M traces', per: 1e6, free: 100_000, page: 'https://aws.amazon.com/xray/pricing/', asOf: STORED },
  cognitoEssentials: { service: 'Cognito', item: 'user pool MAUs, Essentials tier', usd: 0.015, unit: 'MAU', per: 1, free: 10_000, page: 'https://aws.amazon.com/cognito/pricing/', asOf: `${RENDERED} (tiers since 2024-11-22; the stored page text predates them)` },
  kmsKey: { service: 'KMS', item: 'customer managed key', usd: 1, unit: 'key-month', per: 1, free: 0, page: 'https://aws.amazon.com/kms/pricing/', asOf: RENDERED },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;
