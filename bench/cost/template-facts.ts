/** What the cost model reads from the synthesized template: counts and settings, not usage. */

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface TemplateFacts {
  /** Each function's memory and architecture, by logical id. */
  readonly functions: Readonly<Record<string, { readonly memoryMb: number; readonly architecture: string }>>;
  /** Functions fed by an SQS event source mapping (Lambda polls their queues). */
  readonly queueConsumers: readonly string[];
  readonly alarms: number;
  readonly dashboards: number;
  readonly kmsKeys: number;
  /** The longest retention of the functions' log groups, days (what the stored logs cost). */
  readonly logRetentionDays: number;
  /** Bucket notifications to SNS on object creation: publishes per uploaded object. */
  readonly bucketNotificationsPerObject: number;
  readonly apiTracing: boolean;
}

const refOf = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  if (Array.isArray(v['Fn::GetAtt']) && typeof v['Fn::GetAtt'][0] === 'string') return v['Fn::GetAtt'][0];
  return undefined;
};

export function templateFacts(template: { readonly Resources: Readonly<Record<string, Resource>> }): TemplateFacts {
  const entries = Object.entries(template.Resources);
  const ofType = (type: string) => entries.filter(([, r]) => r.Type === type);
  const functions = Object.fromEntries(
    ofType('AWS::Lambda::Function').map(([id, r]) => {
      const p = (r.Properties ?? {}) as { MemorySize?: number; Architectures?: string[] };
      return [id, { memoryMb: p.MemorySize ?? 128, architecture: p.Architectures?.[0] ?? 'x86_64' }];
    }),
  );
  const queueConsumers = ofType('AWS::Lambda::EventSourceMapping')
    .map(([, r]) => refOf(r.Properties?.['FunctionName']))
    .filter((id): id is string => id !== undefined);
  const retention = ofType('AWS::Logs::LogGroup').map(([, r]) => Number(r.Properties?.['RetentionInDays'] ?? 0)).filter((d) => d > 0);
  let notifications = 0;
  for (const [, r] of ofType('Custom::S3BucketNotifications')) {
    const topics = (r.Properties?.['NotificationConfiguration'] as { TopicConfigurations?: { Events?: string[] }[] } | undefined)?.TopicConfigurations ?? [];
    notifications += topics.filter((t) => (t.Events ?? []).some((e) => e.startsWith('s3:ObjectCreated'))).length;
  }
  const api = ofType('AWS::AppSync::GraphQLApi')[0]?.[1];
  return {
    functions,
    queueConsumers,
    alarms: ofType('AWS::CloudWatch::Alarm').length,
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    kmsKeys: ofType('AWS::KMS::Key').length,
    logRetentionDays: retention.length > 0 ? Math.max(...retention) : 30,
    bucketNotificationsPerObject: notifications,
    apiTracing: api?.Properties?.['XrayEnabled'] === true,
  };
}
