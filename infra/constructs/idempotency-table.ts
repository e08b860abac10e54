import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** The attributes Powertools' DynamoDBPersistenceLayer uses by default. */
export const IDEMPOTENCY_KEY_ATTRIBUTE = 'id';
export const IDEMPOTENCY_TTL_ATTRIBUTE = 'expiration';

export interface IdempotencyTableProps {
  /**
   * What happens to the table when the stack is deleted. Its records are short-lived by design.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Powertools idempotency records of the pipeline's functions: one item per function and event
 * (`<function>#<hash of bucket, key, version>`), expired by DynamoDB's TTL.
 */
export class IdempotencyTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: IDEMPOTENCY_KEY_ATTRIBUTE, type: AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TTL_ATTRIBUTE,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
  }
}
