import { Duration, Stack } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnRule, Rule } from 'aws-cdk-lib/aws-events';
import { Topic, TopicPolicy } from 'aws-cdk-lib/aws-sns';
import { Queue, QueuePolicy } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { acknowledge } from '../nag/index.js';
import type { Inventory } from './inventory.js';

/** How long a dead-letter queue keeps a message: SQS's maximum, time to notice and redrive. */
export const DEAD_LETTER_RETENTION = Duration.days(14);
/** The id of the queue the posture gives an SNS subscription without a redrive policy. */
export const SUBSCRIPTION_DLQ_ID = 'DeliveryFailures';

const tlsOnly = (service: 'sqs' | 'sns', resource: string) =>
  new PolicyStatement({
    sid: 'DenyWithoutTls',
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: [`${service}:*`],
    resources: [resource],
    conditions: { Bool: { 'aws:SecureTransport': 'false' } },
  });

/** Whether the queue's or topic's resource policy already denies plain HTTP. */
function deniesPlainHttp(resource: IConstruct): boolean {
  return resource.node.children.some(
    (child) =>
      (child instanceof QueuePolicy || child instanceof TopicPolicy) &&
      JSON.stringify(Stack.of(child).resolve(child.document)).includes('aws:SecureTransport'),
  );
}

/**
 * Every queue and topic, whoever defined it: encrypted with the data key, reachable over TLS
 * only; every dead-letter queue keeps messages 14 days; every SNS subscription has a redrive
 * policy so a failed delivery is kept, not dropped.
 */
export function addSubscriptionDeadLetterQueues(inventory: Inventory): void {
  const { stack } = inventory;
  for (const subscription of inventory.subscriptions) {
    if (stack.resolve(subscription.redrivePolicy) !== undefined) continue;
    const queue = new Queue(subscription, SUBSCRIPTION_DLQ_ID, { retentionPeriod: DEAD_LETTER_RETENTION, enforceSSL: true });
    queue.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('sns.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': subscription.topicArn } },
      }),
    );
    subscription.redrivePolicy = { deadLetterTargetArn: queue.queueArn };
  }
}

/** The id of the queue the posture gives an EventBridge rule whose targets have no dead-letter queue. */
export const RULE_TARGET_DLQ_ID = 'TargetFailures';

/**
 * Every EventBridge rule target gets a dead-letter queue for events EventBridge could not
 * deliver. Works on the L2 rule's target list (rendered lazily), so the template and cdk-nag see
 * the same; an L1-only rule is left to cdk-nag.
 */
export function addRuleTargetDeadLetterQueues(inventory: Inventory): void {
  for (const rule of inventory.stack.node.findAll().filter((c): c is Rule => c instanceof Rule)) {
    // The rule keeps its targets in an array (older CDK) or an array box (getMutable()).
    const box = (rule as unknown as { targets?: unknown }).targets as { getMutable?: () => unknown } | unknown[] | undefined;
    const targets = Array.isArray(box) ? box : typeof box?.getMutable === 'function' ? box.getMutable() : undefined;
    if (!Array.isArray(targets)) continue;
    const missing = (targets as CfnRule.TargetProperty[]).filter((target) => target.deadLetterConfig === undefined);
    if (missing.length === 0) continue;
    const queue = new Queue(rule, RULE_TARGET_DLQ_ID, { retentionPeriod: DEAD_LETTER_RETENTION, enforceSSL: true });
    queue.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
    for (const target of missing) {
      (target as { deadLetterConfig?: CfnRule.DeadLetterConfigProperty }).deadLetterConfig = { arn: queue.queueArn };
    }
  }
}

export function applyMessagingSecurity(inventory: Inventory, key: IKey): void {

  for (const cfn of inventory.queues) {
    cfn.kmsMasterKeyId = key.keyArn;
    cfn.sqsManagedSseEnabled = undefined;
    const queue = owner(cfn, Queue);
    if (queue !== undefined && !deniesPlainHttp(queue)) {
      queue.addToResourcePolicy(tlsOnly('sqs', queue.queueArn));
    }
    const roles = inventory.deadLetterQueues.get(cfn);
    if (roles !== undefined) {
      if (cfn.messageRetentionPeriod === undefined) cfn.messageRetentionPeriod = DEAD_LETTER_RETENTION.toSeconds();
      const what = [...roles].join(', ');
      acknowledge(queue ?? cfn, 'AwsSolutions-SQS3', `This queue is itself a dead-letter queue (${what}); its depth alarm is the next step, not another DLQ`);
      acknowledge(queue ?? cfn, 'Serverless-SQSRedrivePolicy', `This queue is itself a dead-letter queue (${what}); its depth alarm is the next step, not another DLQ`);
    }
  }

  for (const cfn of inventory.topics) {
    cfn.kmsMasterKeyId = key.keyArn;
    const topic = owner(cfn, Topic);
    if (topic !== undefined && !deniesPlainHttp(topic)) {
      topic.addToResourcePolicy(tlsOnly('sns', topic.topicArn));
    }
  }
}

/** The L2 construct an L1 resource is the default child of. */
export function owner<T>(cfn: IConstruct, kind: abstract new (...args: never[]) => T): T | undefined {
  const parent = cfn.node.scope;
  return parent instanceof kind && parent !== undefined && parent.node.defaultChild === cfn ? parent : undefined;
}
