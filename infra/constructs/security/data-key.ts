import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AnyPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

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
 * The key policy works like the AWS-managed keys' (aws/sqs, aws/dynamodb): a principal of this
 * account may use the key only through the data services, and only if its IAM policy already
 * lets it use the resource (read the queue, write the table). So a queue or table encrypted
 * after the fact, by the production posture aspect, needs no KMS grant on each consumer's role.
 * Services that deliver messages on their own behalf get encrypt/decrypt for this account's
 * resources only (`aws:SourceAccount`).
 */
export class DataKey extends Construct {
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: DataKeyProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = new Key(this, 'Key', {
      description: `Data at rest of ${Stack.of(this).stackName}: tables, queues, topics, uploads`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(removalPolicy === RemovalPolicy.DESTROY ? 7 : 30),
    });

    // In a key policy `Resource: "*"` means this key; it grants nothing on other resources.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'UseThroughDataServicesByThisAccount',
        principals: [new AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey', 'kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:CallerAccount': Aws.ACCOUNT_ID,
            'kms:ViaService': DATA_KEY_SERVICES.map((service) => `${service}.${Aws.REGION}.amazonaws.com`),
          },
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
