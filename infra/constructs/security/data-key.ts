import { Aws, DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AnyPrincipal, ArnPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { stageDefaults } from '../stage-defaults.js';

/** The services whose resources the data key encrypts, and through which account principals may use it. */
export const DATA_KEY_SERVICES = ['dynamodb', 'sqs', 'sns', 's3'] as const;

/**
 * Services that call KMS on their own behalf when they deliver to an encrypted queue or topic:
 * S3 event notifications, SNS to SQS, EventBridge targets, CloudWatch alarm actions.
 */
export const DATA_KEY_DELIVERING_SERVICES = [
  's3.amazonaws.com',
  'sns.amazonaws.com',
  'events.amazonaws.com',
  'cloudwatch.amazonaws.com',
] as const;

export interface DataKeyProps {
  /**
   * What happens to the key when the stack is deleted. A deleted key makes every backup and
   * retained table unreadable, so prod keeps it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The stack's one customer-managed KMS key for data at rest: tables, queues, topics and the
 * uploads bucket. One key keeps the fixed cost at one key per stack; rotation is on.
 *
 * The key policy works like the AWS-managed keys' (aws/sqs, aws/dynamodb), narrowed to this
 * stack: a role of this stack (its name starts with the stack's, as CloudFormation names them)
 * may use the key only through the data services (`kms:ViaService`), and only if its IAM policy
 * already lets it use the resource (read the queue, write the table). So a queue or table
 * encrypted after the fact, by the production posture aspect, needs no KMS grant on each
 * consumer's role. Nobody gets `kms:CreateGrant` but the deployment role, and that only for AWS
 * resources through the data services (a table's encryption). Services that deliver messages on
 * their own behalf get encrypt/decrypt for this account's resources only (`aws:SourceAccount`).
 * The key is administered by the role that deploys the stack (CDK's CloudFormation execution
 * role), not by every principal of the account: no statement names the whole account without a
 * `kms:ViaService` condition.
 */
export class DataKey extends Construct {
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: DataKeyProps = {}) {
    super(scope, id);
    const { removalPolicy } = stageDefaults(props);

    const stack = Stack.of(this);
    const viaDataServices = DATA_KEY_SERVICES.map((service) => `${service}.${Aws.REGION}.amazonaws.com`);
    const deployer = deploymentRoleArn(stack);
    this.key = new Key(this, 'Key', {
      description: `Data at rest of ${stack.stackName}: tables, queues, topics, uploads`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(removalPolicy === RemovalPolicy.DESTROY ? 7 : 30),
      // Replaces CDK's default statement (the whole account may do kms:* with the key).
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'AdministerByTheDeploymentRole',
            principals: [new ArnPrincipal(deployer)],
            actions: KEY_ADMIN_ACTIONS,
            resources: ['*'],
          }),
          new PolicyStatement({
            sid: 'GrantsForAwsResourcesByTheDeploymentRole',
            principals: [new ArnPrincipal(deployer)],
            actions: ['kms:CreateGrant'],
            resources: ['*'],
            conditions: { StringEquals: { 'kms:ViaService': viaDataServices }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
          }),
        ],
      }),
    });

    // In a key policy `Resource: "*"` means this key; it grants nothing on other resources.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'UseThroughDataServicesByThisStacksRoles',
        principals: [new AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:CallerAccount': Aws.ACCOUNT_ID, 'kms:ViaService': viaDataServices },
          ArnLike: { 'aws:PrincipalArn': [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${stack.stackName}-*`, deployer] },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DeliverToEncryptedQueuesAndTopics',
        principals: DATA_KEY_DELIVERING_SERVICES.map((service) => new ServicePrincipal(service)),
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }
}

/** What administering the key takes; no use of it (Encrypt, Decrypt, CreateGrant). */
export const KEY_ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/** The role CloudFormation deploys the stack with (CDK's bootstrap), or the account's when the synthesizer has none. */
function deploymentRoleArn(stack: Stack): string {
  const synthesizer = stack.synthesizer;
  if (synthesizer instanceof DefaultStackSynthesizer) {
    // `${AWS::AccountId}`-style placeholders, resolved by CloudFormation.
    return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
  }
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`;
}
