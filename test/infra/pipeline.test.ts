import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_RETENTION, VISIBILITY_TIMEOUT_FACTOR } from '../../infra/constructs/subscriber-queue.js';
import { DEAD_LETTER_HANDLED_TTL_SECONDS } from '../../resolvers/files/handlers/dead-letter-consumer.js';
import {
  DEAD_LETTERS_ENTRY,
  MAKE_THUMBNAILS_ENTRY,
  NOTIFY_ENTRY,
  PIPELINE_ENTRIES,
  PROCESS_UPLOAD_ENTRY,
} from '../../infra/constructs/upload-pipeline.js';
import { LOCAL_ENTRY_METADATA } from '../../infra/constructs/service-function.js';
import { synthesize } from './synth.js';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}
type Resources = Record<string, CfnResource>;

const ref = (value: unknown): string | undefined => {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
};

describe('given the stack synthesized, when looking at the upload pipeline', () => {
  let template: Template;
  let resources: Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const functionOf = (entry: string) => {
    const found = Object.entries(resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[LOCAL_ENTRY_METADATA] === entry);
    if (!found) throw new Error(`no function for ${entry}`);
    return found;
  };

  beforeAll(() => {
    ({ template } = synthesize());
    resources = template.toJSON()['Resources'] as Resources;
  }, 120_000);

  it('then every queue that is not itself a dead-letter queue redrives to one', () => {
    const queues = ofType('AWS::SQS::Queue');
    // A dead-letter queue is whatever a redrive policy, a subscription, a function or a rule
    // target names as its dead-letter target.
    const deadLetterIds = new Set<string>();
    const collect = (value: unknown, underDeadLetter: boolean): void => {
      if (Array.isArray(value)) return value.forEach((v) => collect(v, underDeadLetter));
      if (typeof value !== 'object' || value === null) return;
      const id = ref(value);
      if (underDeadLetter && id !== undefined) deadLetterIds.add(id);
      for (const [key, child] of Object.entries(value)) {
        collect(child, underDeadLetter || /^(deadLetterTargetArn|DeadLetterConfig|OnFailure)$/.test(key));
      }
    };
    for (const [, resource] of Object.entries(resources)) collect(resource.Properties, false);
    const sources = queues.filter(([id]) => !deadLetterIds.has(id));
    expect(sources.length).toBeGreaterThanOrEqual(3);
    for (const [id, queue] of sources) {
      expect({ id, redrive: queue.Properties?.['RedrivePolicy'] }, id).toMatchObject({
        redrive: { deadLetterTargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] }, maxReceiveCount: expect.any(Number) },
      });
    }
  });

  it('then every queue denies requests without TLS in its resource policy', () => {
    const policies = ofType('AWS::SQS::QueuePolicy');
    for (const [id] of ofType('AWS::SQS::Queue')) {
      const denies = policies.some(([, p]) => {
        const queues = ((p.Properties?.['Queues'] ?? []) as unknown[]).map(ref);
        return queues.includes(id) && JSON.stringify(p.Properties?.['PolicyDocument']).includes('"aws:SecureTransport":"false"');
      });
      expect({ id, denies }).toEqual({ id, denies: true });
    }
  });

  it('then every SQS event source mapping reports batch item failures', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      resources[ref(m.Properties?.['EventSourceArn']) ?? '']?.Type === 'AWS::SQS::Queue',
    );
    expect(mappings.length).toBeGreaterThanOrEqual(3);
    for (const [, mapping] of mappings) {
      expect(mapping.Properties?.['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
    }
  });

  it(`then every consumed queue's visibility timeout is at least ${VISIBILITY_TIMEOUT_FACTOR}x its function's timeout`, () => {
    for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
      const queue = resources[ref(mapping.Properties?.['EventSourceArn']) ?? ''];
      const fn = resources[ref(mapping.Properties?.['FunctionName']) ?? ''];
      if (queue?.Type !== 'AWS::SQS::Queue') continue;
      const visibility = Number(queue.Properties?.['VisibilityTimeout'] ?? 30);
      const timeout = Number(fn?.Properties?.['Timeout'] ?? 3);
      expect(visibility).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_FACTOR * timeout);
    }
  });

  it('then S3 -> uploads topic -> a raw-delivery queue each for PROCESS and THUMBNAIL, and READY/FAILED statuses -> notify, filtered', () => {
    const [processId] = functionOf(PROCESS_UPLOAD_ENTRY);
    const [thumbnailsId] = functionOf(MAKE_THUMBNAILS_ENTRY);
    const [notifyId] = functionOf(NOTIFY_ENTRY);
    const queueOf = (fnId: string) =>
      ref(ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => ref(m.Properties?.['FunctionName']) === fnId)?.[1].Properties?.['EventSourceArn']);
    const subscriptionOf = (queueId: string | undefined) =>
      ofType('AWS::SNS::Subscription').find(([, s]) => ref(s.Properties?.['Endpoint']) === queueId)?.[1].Properties ?? {};

    const uploadsTopic = ref(subscriptionOf(queueOf(processId))['TopicArn']);
    expect(ref(subscriptionOf(queueOf(thumbnailsId))['TopicArn'])).toBe(uploadsTopic);
    for (const fn of [processId, thumbnailsId, notifyId]) {
      expect(subscriptionOf(queueOf(fn))).toMatchObject({ Protocol: 'sqs', RawMessageDelivery: true });
    }
    expect(subscriptionOf(queueOf(notifyId))).toMatchObject({ FilterPolicy: { status: ['READY', 'FAILED'] } });
    expect(ref(subscriptionOf(queueOf(notifyId))['TopicArn'])).not.toBe(uploadsTopic);
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        TopicConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
            TopicArn: { Ref: uploadsTopic },
          },
        ],
      },
    });
  });

  it('then the dead-letter consumer runs on a schedule, reads and releases the dead-letter queues and never deletes from them', () => {
    const [consumerId] = functionOf(DEAD_LETTERS_ENTRY);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [consumerId, 'Arn'] } })],
    });
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => ((p.Properties?.['Roles'] ?? []) as unknown[]).map(ref).includes(ref(resources[consumerId]?.Properties?.['Role'])))
      .flatMap(([, p]) => (p.Properties?.['PolicyDocument'] as { Statement: { Action: string | string[] }[] }).Statement);
    const sqsActions = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('sqs:'));
    expect(sqsActions).toEqual(expect.arrayContaining(['sqs:ChangeMessageVisibility', 'sqs:ReceiveMessage']));
    expect(sqsActions).not.toContain('sqs:DeleteMessage');
  });

  it("then the consumer's mark of a handled dead letter outlives the dead-letter queues' retention, so a kept message is never handled twice", () => {
    const retentions = ofType('AWS::SQS::Queue')
      .map(([, q]) => q.Properties?.['MessageRetentionPeriod'] as number | undefined)
      .filter((seconds): seconds is number => seconds !== undefined);
    expect(retentions).toContain(DEAD_LETTER_RETENTION.toSeconds());
    expect(DEAD_LETTER_HANDLED_TTL_SECONDS).toBeGreaterThan(Math.max(...retentions));
  });

  it('then each step function has the idempotency table (notify, whose claim is on the file record, does not), and no function is configured for fault injection', () => {
    for (const entry of PIPELINE_ENTRIES) {
      const [, fn] = functionOf(entry);
      const variables = (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(variables['FILES_TABLE']).toBeDefined();
      if (entry === NOTIFY_ENTRY) expect(variables['IDEMPOTENCY_TABLE']).toBeUndefined();
      else expect(variables['IDEMPOTENCY_TABLE']).toEqual({ Ref: expect.stringMatching(/Idempotency/) });
    }
    // Faults are the local stack's alone: the worker hosting a function applies those a test starts
    // the stack with (local/faults/), never anything a function's environment says, and no deployed
    // bundle has fault-injection code (test/infra/no-fault-injection.test.ts). No variable may
    // bring back a switch for it, the old PIPELINE_FAULTS included.
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const names = Object.keys((fn.Properties?.['Environment'] as { Variables?: object } | undefined)?.Variables ?? {});
      expect(names.filter((name) => /FAULT/i.test(name))).toEqual([]);
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });
});
