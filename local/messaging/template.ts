/**
 * The messaging part of the synthesized template, as the local stack runs it: SNS topics and
 * their subscriptions, SQS queues with their redrive policies, Lambda event source mappings,
 * S3 bucket notifications to topics (and to functions), and EventBridge schedules. Read from the
 * template only; nothing here is a second list of the system's parts.
 */
import {
  type CfnResource,
  type CfnTemplate,
  TemplateError,
  referencedLogicalId,
  resourcesOfType,
} from '../cdk/template.js';

export interface TopicSpec {
  readonly logicalId: string;
  readonly name: string;
}

export interface SubscriptionSpec {
  readonly logicalId: string;
  readonly topicLogicalId: string;
  readonly protocol: string;
  /** The queue (sqs) or function (lambda) subscribed, when it is a resource of the template. */
  readonly endpointLogicalId: string | undefined;
  /** The endpoint as written, for e-mail addresses and phone numbers. */
  readonly endpoint: unknown;
  readonly rawMessageDelivery: boolean;
  readonly filterPolicy: Record<string, unknown> | undefined;
  readonly filterPolicyScope: 'MessageAttributes' | 'MessageBody';
}

export interface QueueDefinition {
  readonly logicalId: string;
  readonly name: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly delaySeconds: number;
  readonly receiveWaitSeconds: number;
  readonly redrive: { readonly deadLetterLogicalId: string; readonly maxReceiveCount: number } | undefined;
}

export interface EventSourceMappingSpec {
  readonly logicalId: string;
  readonly queueLogicalId: string;
  readonly functionLogicalId: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly enabled: boolean;
  /** ScalingConfig.MaximumConcurrency, when set. */
  readonly maximumConcurrency: number | undefined;
}

export type NotificationTarget =
  | { readonly kind: 'lambda'; readonly functionLogicalId: string }
  | { readonly kind: 'topic'; readonly topicLogicalId: string }
  | { readonly kind: 'queue'; readonly queueLogicalId: string };

export interface BucketNotificationSpec {
  readonly bucketLogicalId: string;
  readonly events: readonly string[];
  readonly prefix: string | undefined;
  readonly suffix: string | undefined;
  readonly target: NotificationTarget;
}

export interface ScheduleSpec {
  readonly logicalId: string;
  readonly expression: string;
  readonly periodMs: number;
  readonly functionLogicalIds: readonly string[];
}

export interface MessagingTopology {
  readonly topics: readonly TopicSpec[];
  readonly subscriptions: readonly SubscriptionSpec[];
  readonly queues: readonly QueueDefinition[];
  readonly mappings: readonly EventSourceMappingSpec[];
  readonly notifications: readonly BucketNotificationSpec[];
  readonly schedules: readonly ScheduleSpec[];
}

const props = (resource: CfnResource): Record<string, unknown> => resource.Properties ?? {};

const bool = (value: unknown): boolean => value === true || value === 'true';

const num = (value: unknown, fallback: number): number => (value === undefined ? fallback : Number(value));

/** A name given in the template, when it is a plain string (CloudFormation generates one otherwise). */
const givenName = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function readTopics(template: CfnTemplate): TopicSpec[] {
  return resourcesOfType(template, 'AWS::SNS::Topic').map(([logicalId, resource]) => {
    if (bool(props(resource)['FifoTopic'])) throw new TemplateError(`${logicalId}: FIFO topics are not supported locally`);
    return { logicalId, name: givenName(props(resource)['TopicName']) ?? logicalId };
  });
}

function parsePolicy(value: unknown, where: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (typeof parsed !== 'object' || parsed === null) throw new TemplateError(`${where}: FilterPolicy is not an object`);
  return parsed as Record<string, unknown>;
}

function readSubscriptions(template: CfnTemplate): SubscriptionSpec[] {
  return resourcesOfType(template, 'AWS::SNS::Subscription').map(([logicalId, resource]) => {
    const p = props(resource);
    const topicLogicalId = referencedLogicalId(p['TopicArn']);
    if (topicLogicalId === undefined) throw new TemplateError(`${logicalId}: TopicArn is not a reference to a topic of the template`);
    return {
      logicalId,
      topicLogicalId,
      protocol: String(p['Protocol'] ?? ''),
      endpointLogicalId: referencedLogicalId(p['Endpoint']),
      endpoint: p['Endpoint'],
      rawMessageDelivery: bool(p['RawMessageDelivery']),
      filterPolicy: parsePolicy(p['FilterPolicy'], logicalId),
      filterPolicyScope: p['FilterPolicyScope'] === 'MessageBody' ? 'MessageBody' : 'MessageAttributes',
    };
  });
}

function readQueues(template: CfnTemplate): QueueDefinition[] {
  return resourcesOfType(template, 'AWS::SQS::Queue').map(([logicalId, resource]) => {
    const p = props(resource);
    if (bool(p['FifoQueue'])) throw new TemplateError(`${logicalId}: FIFO queues are not supported locally`);
    const redrive = (typeof p['RedrivePolicy'] === 'string' ? JSON.parse(p['RedrivePolicy']) : p['RedrivePolicy']) as
      | { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown }
      | undefined;
    let redrivePolicy: QueueDefinition['redrive'];
    if (redrive !== undefined) {
      const deadLetterLogicalId = referencedLogicalId(redrive.deadLetterTargetArn);
      if (deadLetterLogicalId === undefined) {
        throw new TemplateError(`${logicalId}: RedrivePolicy.deadLetterTargetArn is not a queue of the template`);
      }
      redrivePolicy = { deadLetterLogicalId, maxReceiveCount: Number(redrive.maxReceiveCount ?? 10) };
    }
    return {
      logicalId,
      name: givenName(p['QueueName']) ?? logicalId,
      visibilityTimeoutSeconds: num(p['VisibilityTimeout'], 30),
      retentionSeconds: num(p['MessageRetentionPeriod'], 345_600),
      delaySeconds: num(p['DelaySeconds'], 0),
      receiveWaitSeconds: num(p['ReceiveMessageWaitTimeSeconds'], 0),
      redrive: redrivePolicy,
    };
  });
}

function readMappings(template: CfnTemplate, queueIds: ReadonlySet<string>): EventSourceMappingSpec[] {
  const mappings: EventSourceMappingSpec[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')) {
    const p = props(resource);
    const queueLogicalId = referencedLogicalId(p['EventSourceArn']);
    // Streams (DynamoDB, Kinesis) and brokers are not queues; other parts of the stack may run them.
    if (queueLogicalId === undefined || !queueIds.has(queueLogicalId)) continue;
    const functionLogicalId = referencedLogicalId(p['FunctionName']);
    if (functionLogicalId === undefined) throw new TemplateError(`${logicalId}: FunctionName is not a function of the template`);
    const scaling = p['ScalingConfig'] as { MaximumConcurrency?: unknown } | undefined;
    mappings.push({
      logicalId,
      queueLogicalId,
      functionLogicalId,
      batchSize: num(p['BatchSize'], 10),
      maximumBatchingWindowSeconds: num(p['MaximumBatchingWindowInSeconds'], 0),
      reportBatchItemFailures: ((p['FunctionResponseTypes'] ?? []) as unknown[]).includes('ReportBatchItemFailures'),
      enabled: p['Enabled'] === undefined ? true : bool(p['Enabled']),
      maximumConcurrency: scaling?.MaximumConcurrency === undefined ? undefined : Number(scaling.MaximumConcurrency),
    });
  }
  return mappings;
}

function readNotifications(template: CfnTemplate): BucketNotificationSpec[] {
  const notifications: BucketNotificationSpec[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, 'Custom::S3BucketNotifications')) {
    const p = props(resource);
    const bucketLogicalId = referencedLogicalId(p['BucketName']);
    if (!bucketLogicalId) throw new TemplateError(`${logicalId}: BucketName is not a reference`);
    const config = (p['NotificationConfiguration'] ?? {}) as Record<string, unknown>;
    const kinds: [string, string, (id: string) => NotificationTarget][] = [
      ['LambdaFunctionConfigurations', 'LambdaFunctionArn', (id) => ({ kind: 'lambda', functionLogicalId: id })],
      ['TopicConfigurations', 'TopicArn', (id) => ({ kind: 'topic', topicLogicalId: id })],
      ['QueueConfigurations', 'QueueArn', (id) => ({ kind: 'queue', queueLogicalId: id })],
    ];
    for (const [list, arnKey, target] of kinds) {
      for (const entry of (config[list] ?? []) as Record<string, unknown>[]) {
        const targetId = referencedLogicalId(entry[arnKey]);
        if (!targetId) throw new TemplateError(`${logicalId}: ${arnKey} is not a reference`);
        const rules = (entry['Filter'] as { Key?: { FilterRules?: { Name: string; Value: string }[] } } | undefined)?.Key?.FilterRules ?? [];
        const rule = (name: string) => rules.find((r) => r.Name.toLowerCase() === name)?.Value;
        notifications.push({
          bucketLogicalId,
          events: (entry['Events'] ?? []) as string[],
          prefix: rule('prefix'),
          suffix: rule('suffix'),
          target: target(targetId),
        });
      }
    }
  }
  return notifications;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/** `rate(N unit)`; cron expressions are not run locally. */
export function ratePeriodMs(expression: string): number | undefined {
  const match = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  return match ? Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0) : undefined;
}

function readSchedules(template: CfnTemplate): ScheduleSpec[] {
  const schedules: ScheduleSpec[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Events::Rule')) {
    const p = props(resource);
    const expression = p['ScheduleExpression'];
    if (typeof expression !== 'string' || p['State'] === 'DISABLED') continue;
    const periodMs = ratePeriodMs(expression);
    if (periodMs === undefined) continue;
    const functionLogicalIds = ((p['Targets'] ?? []) as { Arn?: unknown }[])
      .map((t) => referencedLogicalId(t.Arn))
      .filter((id): id is string => id !== undefined && template.Resources[id]?.Type === 'AWS::Lambda::Function');
    if (functionLogicalIds.length > 0) schedules.push({ logicalId, expression, periodMs, functionLogicalIds });
  }
  return schedules;
}

export function readMessaging(template: CfnTemplate): MessagingTopology {
  const queues = readQueues(template);
  return {
    topics: readTopics(template),
    subscriptions: readSubscriptions(template),
    queues,
    mappings: readMappings(template, new Set(queues.map((q) => q.logicalId))),
    notifications: readNotifications(template),
    schedules: readSchedules(template),
  };
}
