import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** The deployment stages, built from one app: `-c stage=prod` selects production. */
export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

/** dev: data is deleted with the stack; prod: data is kept. */
export function removalPolicyFor(stage: Stage): RemovalPolicy {
  return stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/**
 * Everything that differs between the stages, and nothing else: the stages share every other
 * setting so that what was tested in dev is what runs in prod.
 */
export interface StageSettings {
  readonly stage: Stage;
  /** What happens to data (tables, bucket, user pool, key, logs) when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** How long every log group keeps its events. */
  readonly logRetention: RetentionDays;
  /** Whether a WAF web ACL (rate-based rule and AWS known-bad-inputs rules) guards the API. */
  readonly firewall: boolean;
  /** Whether the API answers introspection queries (the schema is public in the repo; prod hides it anyway). */
  readonly introspection: boolean;
  /**
   * Provisioned concurrency of the latency-critical resolver (the files API), 0 for none.
   * Only prod honours it: a warm pool in dev costs money and tests nothing new.
   */
  readonly provisionedConcurrency: number;
  /**
   * Where alarm notifications are e-mailed. Optional in dev (the alarm topic then has no
   * subscriber); required in prod, where an alarm nobody hears is no alarm: `ProductionPosture`,
   * which makes the alarm topic, refuses prod settings without it (infra/aspects/production-posture.ts).
   */
  readonly alarmEmail: string | undefined;
}

/** Limits AppSync enforces on every request, in both stages. */
export const API_LIMITS = {
  /** Deepest selection set accepted; the schema's deepest useful query is 4 levels. */
  queryDepthLimit: 10,
  /** Resolvers one request may invoke; only root fields have resolvers today. */
  resolverCountLimit: 200,
} as const;

export interface StageOverrides {
  /** From context `alarmEmail`. */
  readonly alarmEmail?: string;
  /** From context `provisionedConcurrency`. */
  readonly provisionedConcurrency?: number;
}

export function settingsFor(stage: Stage, overrides: StageOverrides = {}): StageSettings {
  const prod = stage === 'prod';
  const provisioned = overrides.provisionedConcurrency ?? 0;
  if (!Number.isInteger(provisioned) || provisioned < 0) {
    throw new Error(`provisionedConcurrency must be a non-negative integer, got ${String(provisioned)}`);
  }
  return {
    stage,
    removalPolicy: removalPolicyFor(stage),
    logRetention: prod ? RetentionDays.THREE_MONTHS : RetentionDays.TWO_WEEKS,
    firewall: prod,
    introspection: !prod,
    provisionedConcurrency: prod ? provisioned : 0,
    alarmEmail: overrides.alarmEmail,
  };
}

/** The GraphQL API's settings for a stage (FilesGraphqlApi props). */
export function apiSettings(settings: StageSettings): {
  readonly introspection: boolean;
  readonly queryDepthLimit: number;
  readonly resolverCountLimit: number;
  readonly provisionedConcurrency: number;
} {
  return {
    introspection: settings.introspection,
    queryDepthLimit: API_LIMITS.queryDepthLimit,
    resolverCountLimit: API_LIMITS.resolverCountLimit,
    provisionedConcurrency: settings.provisionedConcurrency,
  };
}
