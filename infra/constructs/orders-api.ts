import { fileURLToPath } from 'node:url';
import { bundleAppSyncJs } from '../appsync-code.js';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Code, FunctionRuntime, type GraphqlApi, Resolver } from 'aws-cdk-lib/aws-appsync';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { OrdersPayments } from './orders-payments.js';
import { ServiceFunction } from './service-function.js';
import { PUBLISH_ORDER_EVENT_MUTATION } from './orders-workflow.js';
import { stageDefaults } from './stage-defaults.js';

/** The orders API handler, relative to the project root. */
export const ORDERS_API_ENTRY = 'resolvers/orders/handlers/orders-api.ts';

/** The fields resolved by the orders API Lambda, as direct Lambda resolvers. */
export const ORDERS_API_FIELDS = [
  { typeName: 'Query', fieldName: 'products' },
  { typeName: 'Query', fieldName: 'order' },
  { typeName: 'Query', fieldName: 'orders' },
  { typeName: 'Mutation', fieldName: 'placeOrder' },
  { typeName: 'Mutation', fieldName: 'cancelOrder' },
  { typeName: 'Query', fieldName: 'pendingApprovals' },
  { typeName: 'Mutation', fieldName: 'approveOrder' },
  { typeName: 'Mutation', fieldName: 'rejectOrder' },
] as const;

/** The fields resolved by APPSYNC_JS code on a NONE data source, with their code file. */
export const ORDERS_JS_RESOLVERS = [
  {
    typeName: 'Mutation',
    fieldName: 'publishOrderEvent',
    codePath: fileURLToPath(new URL('../../resolvers/appsync/publish-order-event.ts', import.meta.url)),
  },
  {
    typeName: 'Subscription',
    fieldName: 'onOrderEvent',
    codePath: fileURLToPath(new URL('../../resolvers/appsync/on-order-event.ts', import.meta.url)),
  },
] as const;

export interface OrdersApiProps {
  readonly api: GraphqlApi;
  readonly graphqlUrl: string;
  readonly ordersTable: ITable;
  readonly productsTable: ITable;
  /** The payment provider: placeOrder prepares a payment, `Order.payment.transactions` reads it. */
  readonly payments: OrdersPayments;
  /** The saga `placeOrder` starts. */
  readonly stateMachine: IStateMachine;

  /** @default the repository root */
  readonly projectRoot?: string;
  /** @default the stage's retention, set by the production posture (infra/aspects) */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The orders fields of the GraphQL API: the catalog, orders and `placeOrder`/`cancelOrder` on
 * the orders API Lambda (direct Lambda resolvers); `publishOrderEvent` and `onOrderEvent` as
 * APPSYNC_JS unit resolvers on a NONE data source, their code inline in the template.
 */
export class OrdersApi extends Construct {
  public readonly handler: ServiceFunction;

  constructor(scope: Construct, id: string, props: OrdersApiProps) {
    super(scope, id);

    this.handler = new ServiceFunction(this, 'Handler', {
      entry: ORDERS_API_ENTRY,
      serviceName: 'orders-api',
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      removalPolicy: stageDefaults(props).removalPolicy,
      environment: {
        GRAPHQL_URL: props.graphqlUrl,
        ORDER_WORKFLOW_ARN: props.stateMachine.stateMachineArn,
      },
    })
      .bindTable(props.ordersTable, 'RW', 'ORDERS_TABLE')
      .bindTable(props.productsTable, 'RO', 'PRODUCTS_TABLE');
    // placeOrder prepares the payment; Order.payment.transactions reads the provider's record.
    props.payments.bind(this.handler);
    props.stateMachine.grantStartExecution(this.handler.fn);
    // approveOrder / rejectOrder answer the waiting approval; pendingApprovals renews its heartbeat.
    props.stateMachine.grantTaskResponse(this.handler.fn);
    props.api.grantMutation(this.handler.fn, PUBLISH_ORDER_EVENT_MUTATION);

    const lambdaSource = props.api.addLambdaDataSource('OrdersApiDataSource', this.handler.fn, {
      description: 'The orders API Lambda (direct Lambda resolvers)',
    });
    for (const { typeName, fieldName } of ORDERS_API_FIELDS) {
      new Resolver(this, resolverId(typeName, fieldName), { api: props.api, typeName, fieldName, dataSource: lambdaSource });
    }

    const noneSource = props.api.addNoneDataSource('OrdersNoneDataSource', {
      description: 'Local resolvers: publishOrderEvent and the onOrderEvent subscription',
    });
    for (const { typeName, fieldName, codePath } of ORDERS_JS_RESOLVERS) {
      new Resolver(this, resolverId(typeName, fieldName), {
        api: props.api,
        typeName,
        fieldName,
        dataSource: noneSource,
        runtime: FunctionRuntime.JS_1_0_0,
        code: Code.fromInline(bundleAppSyncJs(codePath)),
      });
    }
  }
}

const resolverId = (typeName: string, fieldName: string) =>
  `${typeName}${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}Resolver`;
