import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type CfnTable, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type CatalogProduct, PRODUCT_CATALOG } from './orders-catalog.js';
import { stageDefaults } from './stage-defaults.js';

/** The index listing one owner's orders by creation time. */
export const ORDERS_BY_OWNER_INDEX = 'byOwner';

/** The sparse index of the orders waiting for an approval (only they carry `approvalQueue`), oldest first. */
export const AWAITING_APPROVAL_INDEX = 'awaitingApproval';

/**
 * CloudFormation metadata on a table: items the local stack writes into it when it creates it.
 * Nothing reads it on AWS.
 */
export const LOCAL_SEED_METADATA = 'local:seed';

export interface OrdersTablesProps {
  /**
   * What happens to the tables when the stack is deleted. RETAIN also turns on deletion protection.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The catalog the local stack seeds the products table with.
   * @default PRODUCT_CATALOG
   */
  readonly catalog?: readonly CatalogProduct[];
}

/**
 * The orders domain's tables:
 * - products: one item per `sku`, with the stock that reservations lower;
 * - orders: one item per `id`, the `byOwner` index (`owner`, `createdAt`) and the sparse
 *   `awaitingApproval` index (`approvalQueue`, `createdAt`): the approvers' queue;
 * - payments: the payment simulator's ledger, `orderId` + `entry` (CHARGE, REFUND, DECLINE, ATTEMPTS).
 */
export class OrdersTables extends Construct {
  public readonly products: Table;
  public readonly orders: Table;
  public readonly payments: Table;

  constructor(scope: Construct, id: string, props: OrdersTablesProps = {}) {
    super(scope, id);
    const { removalPolicy } = stageDefaults(props);
    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    };

    this.products = new Table(this, 'Products', { partitionKey: { name: 'sku', type: AttributeType.STRING }, ...common });
    (this.products.node.defaultChild as CfnTable).addMetadata(
      LOCAL_SEED_METADATA,
      (props.catalog ?? PRODUCT_CATALOG).map((product) => ({ ...product })),
    );

    this.orders = new Table(this, 'Orders', { partitionKey: { name: 'id', type: AttributeType.STRING }, ...common });
    this.orders.addGlobalSecondaryIndex({
      indexName: ORDERS_BY_OWNER_INDEX,
      partitionKey: { name: 'owner', type: AttributeType.STRING },
      sortKey: { name: 'createdAt', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    this.orders.addGlobalSecondaryIndex({
      indexName: AWAITING_APPROVAL_INDEX,
      partitionKey: { name: 'approvalQueue', type: AttributeType.STRING },
      sortKey: { name: 'createdAt', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    this.payments = new Table(this, 'Payments', {
      partitionKey: { name: 'orderId', type: AttributeType.STRING },
      sortKey: { name: 'entry', type: AttributeType.STRING },
      ...common,
    });
  }
}
