import { AspectPriority, Aspects, CfnOutput, Stack, type IAspect } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from '../nag/index.js';
import { ApiFirewall } from '../constructs/security/api-firewall.js';
import { DataKey } from '../constructs/security/data-key.js';
import { AlarmTopic } from '../constructs/observability/alarm-topic.js';
import { StandardAlarms } from '../constructs/observability/alarms.js';
import { OperationsDashboard } from '../constructs/observability/dashboard.js';
import type { StageSettings } from '../stage.js';
import { applyDataProtection } from './data-protection.js';
import { applyFunctionDefaults } from './function-defaults.js';
import { takeInventory, type Inventory } from './inventory.js';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { wildcardResourceFinding } from '../nag/index.js';
import { addRuleTargetDeadLetterQueues, addSubscriptionDeadLetterQueues, applyMessagingSecurity } from './messaging.js';
import { applyWorkflowObservability } from './workflows.js';

export interface ProductionPostureProps {
  readonly settings: StageSettings;
  /** The GraphQL API the firewall guards (prod). */
  readonly apiArn: string;
}

/**
 * What makes the stack production-grade, applied to whatever the stack holds, whoever added it:
 * the data key, the alarm topic, the firewall (prod), and a CDK aspect that, once the stack is
 * complete, gives every function, queue, topic, table, bucket and state machine its secure and
 * observable defaults, an alarm set, and a place on the dashboard.
 *
 * New resources need nothing from their authors to get all this; what the aspect cannot decide
 * (a wildcard a grant needs, a rule that does not apply) is for them to acknowledge next to the
 * resource (infra/nag).
 */
export class ProductionPosture extends Construct {
  public readonly dataKey: DataKey;
  public readonly alarmTopic: AlarmTopic;
  public readonly dashboard: OperationsDashboard;
  public readonly firewall: ApiFirewall | undefined;
  /** Filled when the stack is synthesized. */
  public alarms: StandardAlarms | undefined;
  private readonly settings: StageSettings;

  /** @throws when `props.settings` are prod's without an alarm e-mail (see `requireAlarmTarget`). */
  constructor(scope: Stack, id: string, props: ProductionPostureProps) {
    super(scope, id);
    requireAlarmTarget(props.settings);
    this.settings = props.settings;
    const removalPolicy = props.settings.removalPolicy;

    this.dataKey = new DataKey(this, 'DataKey', { removalPolicy });
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { masterKey: this.dataKey.key, email: props.settings.alarmEmail });
    this.dashboard = new OperationsDashboard(this, 'Dashboard');
    this.firewall = props.settings.firewall
      ? new ApiFirewall(this, 'ApiFirewall', { apiArn: props.apiArn, removalPolicy, logRetention: props.settings.logRetention })
      : undefined;

    new CfnOutput(scope, 'AlarmTopicArn', { value: this.alarmTopic.topic.topicArn, description: 'Every alarm notifies this topic: subscribe on-call to it' });
    new CfnOutput(scope, 'DashboardUrl', { value: this.dashboard.url, description: 'The operations dashboard' });

    Aspects.of(scope).add(new PostureAspect(scope, this), { priority: AspectPriority.MUTATING });
  }

  /** Runs once, from the aspect, when every construct of the stack exists. */
  public apply(stack: Stack): void {
    const retake = (): Inventory => takeInventory(stack);
    applyFunctionDefaults(retake());
    addSubscriptionDeadLetterQueues(retake());
    addRuleTargetDeadLetterQueues(retake());
    applyMessagingSecurity(retake(), this.dataKey.key);
    applyWorkflowObservability(retake(), this.settings.removalPolicy);
    const inventory = retake();
    applyDataProtection(inventory, { key: this.dataKey.key, logRetention: this.settings.logRetention });
    acknowledgeCdkHandlers(inventory);
    acknowledgeInvokeGrants(inventory);
    acknowledgeQueueEventSources(inventory);
    this.addAlarmsAndDashboard(inventory);
  }

  private addAlarmsAndDashboard(inventory: Inventory): void {
    const { stack } = inventory;
    const alarms = new StandardAlarms(this, 'Alarms', { topic: this.alarmTopic.topic });
    this.alarms = alarms;
    const idOf = (construct: IConstruct) => construct.node.path.split('/').slice(1).join('').replace(/[^A-Za-z0-9]/g, '');

    // Functions that serve the system's traffic; CDK's deploy-time handlers (run by CloudFormation
    // alone, such as the console's BucketDeployment) have no invoker here and report to CloudFormation.
    const serving = inventory.functions.filter(({ invokers }) => invokers.size > 0);
    const functions = serving.map(({ fn, cfn }) => {
      const variables = (stack.resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables;
      const service = variables?.['POWERTOOLS_SERVICE_NAME'];
      const label = typeof service === 'string' ? service : fn.node.path.split('/').slice(1, -1).join('/') || fn.node.id;
      alarms.forFunction(idOf(fn), cfn, label);
      return { label, functionName: cfn.ref };
    });
    const queues = inventory.queues.map((queue) => {
      const deadLetter = inventory.deadLetterQueues.has(queue);
      const label = queue.node.path.split('/').slice(1, -1).join('/');
      if (deadLetter) alarms.forDeadLetterQueue(idOf(queue), queue, label);
      return { label, queueName: queue.attrQueueName, deadLetter };
    });
    for (const api of inventory.apis) alarms.forApi(idOf(api), api);
    const stateMachines = inventory.stateMachines.map((machine) => {
      const label = machine.node.path.split('/').slice(1, -1).join('/');
      alarms.forStateMachine(idOf(machine), machine, label);
      return { label, arn: machine.attrArn };
    });

    // Alarms their authors created without an action notify the on-call topic too.
    for (const alarm of stack.node.findAll().filter((c): c is CfnAlarm => c instanceof CfnAlarm)) {
      const actions = stack.resolve(alarm.alarmActions) as unknown[] | undefined;
      if (actions !== undefined && actions.length > 0) continue;
      alarm.alarmActions = [this.alarmTopic.topic.topicArn];
      alarm.okActions = [this.alarmTopic.topic.topicArn];
    }

    this.dashboard.show({
      apiId: inventory.apis[0]?.attrApiId,
      functions,
      queues,
      stateMachines,
      alarms: alarms.alarms,
    });
  }
}

/**
 * Refuses prod settings without an alarm target: the alarm topic would have no subscriber, and
 * every alarm of the stack would fire in silence. The message, one line, says how to give one.
 * The posture checks its settings; `buildApp` also calls this before the stack is built, so a
 * synth without the e-mail fails before any function is bundled.
 */
export function requireAlarmTarget(settings: StageSettings): void {
  if (settings.stage !== 'prod' || settings.alarmEmail !== undefined) return;
  throw new Error(
    'The prod stage needs an alarm target: without one the alarm topic has no subscriber and every alarm fires in silence. ' +
      'Give the on-call e-mail with the alarmEmail context, e.g. ' +
      '`npm run deploy -- -c stage=prod -c alarmEmail=oncall@example.com` (the same for synth, diff and destroy). ' +
      'See docs/operations.md#deploying.',
  );
}

/** Applies the posture to `stack` once, when aspects run (before cdk-nag validates). */
class PostureAspect implements IAspect {
  private applied = false;

  constructor(
    private readonly stack: Stack,
    private readonly posture: ProductionPosture,
  ) {}

  public visit(node: IConstruct): void {
    if (node !== this.stack || this.applied) return;
    this.applied = true;
    this.posture.apply(this.stack);
  }
}

/**
 * CDK's bucket-notifications handler keeps AWS's basic execution policy: it writes only its own
 * logs. (CDK's `CustomS3AutoDeleteObjects` handler in dev keeps it too; cdk-nag does not inspect
 * that provider's role. Both are documented log cases: docs/operations.md, "Security notes".)
 */
function acknowledgeCdkHandlers(inventory: Inventory): void {
  const handler = inventory.stack.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
  if (handler === undefined) return;
  acknowledge(
    handler,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'CDK bucket-notifications handler: the basic execution policy only lets it write its own logs (documented log case); CDK scopes its s3:PutBucketNotification to the notified bucket',
  );
}

/**
 * `grantInvoke` (AppSync data sources, Step Functions tasks) allows a function and `<arn>:*`, its
 * versions and aliases. That wildcard is acknowledged where it is exactly that: a statement of
 * lambda:InvokeFunction whose `:*` resources each follow the plain ARN of a function of the stack.
 */
function acknowledgeInvokeGrants(inventory: Inventory): void {
  const { stack } = inventory;
  for (const policy of stack.node.findAll().filter((c): c is CfnPolicy => c instanceof CfnPolicy)) {
    const document = stack.resolve(policy.policyDocument) as { Statement?: { Action?: unknown; Resource?: unknown }[] } | undefined;
    for (const statement of document?.Statement ?? []) {
      const actions = [statement.Action].flat();
      if (!actions.every((action) => action === 'lambda:InvokeFunction')) continue;
      const resources = [statement.Resource].flat();
      for (const fn of inventory.referenced(resources, CfnFunction)) {
        const arn = { 'Fn::GetAtt': [inventory.logicalIdOf(fn), 'Arn'] };
        const qualified = { 'Fn::Join': ['', [arn, ':*']] };
        const has = (value: unknown) => resources.some((resource) => JSON.stringify(resource) === JSON.stringify(value));
        if (!has(arn) || !has(qualified)) continue;
        acknowledge(
          policy.node.scope ?? policy,
          wildcardResourceFinding(policy, qualified),
          `grantInvoke on ${fn.node.path}: lambda:InvokeFunction on that function and its versions/aliases (ARN:*), no other function`,
        );
      }
    }
  }
}

/** An SQS event source cannot have an on-failure destination: the queue's redrive policy is its DLQ. */
function acknowledgeQueueEventSources(inventory: Inventory): void {
  const { stack } = inventory;
  for (const mapping of inventory.eventSourceMappings) {
    const [queue] = inventory.referenced(mapping.eventSourceArn, CfnQueue);
    if (queue === undefined || stack.resolve(queue.redrivePolicy) === undefined) continue;
    acknowledge(
      mapping,
      'Serverless-LambdaEventSourceMappingDestination',
      `SQS event sources take no on-failure destination: failed messages move to the dead-letter queue of ${queue.node.path} (its redrive policy)`,
    );
  }
}
