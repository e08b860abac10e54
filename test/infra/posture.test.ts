import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { nagFindings } from '../../infra/nag/index.js';
import type { AppSyncLambdaStack } from '../../infra/stack.js';
import { testProjectRoot } from './synth.js';

/**
 * What another engineer might add to the stack with plain CDK, none of the project's helpers:
 * an x86 Node 18 function without tracing or log group, fed by a queue with a DLQ, a topic with
 * a queue subscription, an idempotency table, a scheduled rule and a state machine.
 */
class Newcomer extends Construct {
  public readonly fn: LambdaFunction;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.fn = new LambdaFunction(this, 'Worker', {
      runtime: Runtime.NODEJS_18_X,
      architecture: Architecture.X86_64,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => null;'),
      memorySize: 256,
      timeout: Duration.seconds(20),
    });
    const dlq = new Queue(this, 'WorkDlq');
    const work = new Queue(this, 'Work', { deadLetterQueue: { queue: dlq, maxReceiveCount: 3 }, visibilityTimeout: Duration.seconds(120) });
    this.fn.addEventSource(new SqsEventSource(work));
    new Topic(this, 'Events').addSubscription(new SqsSubscription(work));
    new Table(this, 'IdempotencyTable', { partitionKey: { name: 'id', type: AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
    new Rule(this, 'Nightly', { schedule: Schedule.rate(Duration.days(1)), targets: [new LambdaTarget(this.fn)] });
    new StateMachine(this, 'Flow', { definition: new Pass(this, 'Nothing') });
  }
}

describe('given resources added to the stack with plain CDK by someone else', () => {
  let stack: AppSyncLambdaStack;
  let template: Template;
  const within = (logicalId: string) => logicalId.startsWith('Newcomer');

  beforeAll(() => {
    const app = new App({ context: { [BUNDLING_STACKS]: [] } });
    stack = buildApp(app, { projectRoot: testProjectRoot() });
    new Newcomer(stack, 'Newcomer');
    template = Template.fromStack(stack);
  }, 120_000);

  it('then the function runs Node.js 22 on arm64, traced, with JSON logs in a log group with the stage retention', () => {
    const [id, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([key]) => within(key)) ?? [];
    expect(id).toBeDefined();
    expect(fn?.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: { LogFormat: 'JSON' } });
    const logGroupId = (fn?.Properties.LoggingConfig.LogGroup as { Ref: string }).Ref;
    expect(template.toJSON()['Resources'][logGroupId].Properties.RetentionInDays).toBe(14);
  });

  it('then its role writes to that log group only, not to every log group', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([key]) => within(key) && key.includes('Worker'));
    for (const [, role] of roles) expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain('AWSLambdaBasicExecutionRole');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^NewcomerWorker') }],
    });
  });

  it('then queues and the topic are encrypted with the data key and refuse plain HTTP', () => {
    for (const [id, queue] of Object.entries(template.findResources('AWS::SQS::Queue')).filter(([key]) => within(key))) {
      expect(JSON.stringify(queue.Properties.KmsMasterKeyId), id).toMatch(/OperationsDataKey/);
    }
    for (const [id, topic] of Object.entries(template.findResources('AWS::SNS::Topic')).filter(([key]) => within(key))) {
      expect(JSON.stringify(topic.Properties.KmsMasterKeyId), id).toMatch(/OperationsDataKey/);
    }
    const policies = JSON.stringify(Object.entries(template.findResources('AWS::SQS::QueuePolicy')).filter(([key]) => within(key)));
    expect(policies).toContain('aws:SecureTransport');
    expect(JSON.stringify(Object.entries(template.findResources('AWS::SNS::TopicPolicy')).filter(([key]) => within(key)))).toContain('aws:SecureTransport');
  });

  it('then every dead-letter queue (the queue\'s, the subscription\'s, the rule target\'s, the async function\'s) has a depth alarm', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { RedrivePolicy: { deadLetterTargetArn: Match.anyValue() } });
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() } })] });
    expect(template.toJSON()['Resources'][Object.keys(template.findResources('AWS::Lambda::Function')).find(within) ?? ''].Properties.DeadLetterConfig).toBeDefined();
    const dlqs = Object.keys(template.findResources('AWS::SQS::Queue')).filter((key) => within(key) && key !== Object.keys(template.findResources('AWS::SQS::Queue')).find((k) => /^NewcomerWork[0-9A-F]{8}$/.test(k)));
    expect(dlqs.length).toBe(4);
    const alarmed = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' } }));
    for (const dlq of dlqs) expect(alarmed, dlq).toContain(dlq);
  });

  it('then the state machine logs ALL events and is traced, and failed executions raise an alarm', () => {
    const [id] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).filter(within);
    expect(id).toBeDefined();
    const alarms = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ExecutionsFailed' } }));
    expect(alarms).toContain(`"${id}"`);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });

  it('then the idempotency table expires records through its TTL and has point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: Match.objectLike({ SSEType: 'KMS' }),
    });
  });

  it('then cdk-nag finds nothing on them that the posture could decide', () => {
    const findings = nagFindings(stack).filter((finding) => finding.path.includes('/Newcomer/'));
    expect(findings.map((finding) => `${finding.rule} ${finding.path}`)).toEqual([]);
  });
});
