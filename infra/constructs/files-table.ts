import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { stageDefaults } from './stage-defaults.js';

/** The index listing one owner's files by creation time. */
export const BY_OWNER_INDEX = 'byOwner';

export interface FilesTableProps {
  /**
   * What happens to the table when the stack is deleted. RETAIN also turns on deletion protection.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The files' metadata: one item per file keyed by `id`, and the `byOwner` index
 * (`owner`, `createdAt`) for listing a user's files newest first.
 */
export class FilesTable extends Construct {
  public readonly table: Table;
  public readonly tableName: string;

  constructor(scope: Construct, id: string, props: FilesTableProps = {}) {
    super(scope, id);
    const { removalPolicy } = stageDefaults(props);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Encrypted with the stack's customer-managed key by the production posture (infra/aspects).
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: BY_OWNER_INDEX,
      partitionKey: { name: 'owner', type: AttributeType.STRING },
      sortKey: { name: 'createdAt', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    this.tableName = this.table.tableName;
  }
}
