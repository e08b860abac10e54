import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { OrdersApi } from './orders-api.js';
import { OrdersTables } from './orders-tables.js';
import { OrderWorkflow } from './orders-workflow.js';

export interface OrdersProps {
  readonly api: GraphqlApi;
  readonly graphqlUrl: string;
  /** @default - the alarms have no action */
  readonly alarmTopic?: ITopic;
  /** @default Duration.seconds(3) */
  readonly paymentSimulatorSlow?: Duration;
  /** @default the repository root */
  readonly projectRoot?: string;
  /** @default the stage's retention, set by the production posture (infra/aspects) */
  readonly logRetention?: RetentionDays;
  /** Of the tables and log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Orders, end to end: the tables, the saga's state machine and the API fields that start and follow it. */
export class Orders extends Construct {
  public readonly tables: OrdersTables;
  public readonly workflow: OrderWorkflow;
  public readonly api: OrdersApi;

  constructor(scope: Construct, id: string, props: OrdersProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const common = { projectRoot: props.projectRoot, logRetention: props.logRetention, removalPolicy };

    this.tables = new OrdersTables(this, 'Tables', { removalPolicy });
    const tables = {
      ordersTable: this.tables.orders,
      productsTable: this.tables.products,
      paymentsTable: this.tables.payments,
    };
    this.workflow = new OrderWorkflow(this, 'Workflow', {
      ...tables,
      ...common,
      api: props.api,
      graphqlUrl: props.graphqlUrl,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
      ...(props.paymentSimulatorSlow ? { paymentSimulatorSlow: props.paymentSimulatorSlow } : {}),
    });
    this.api = new OrdersApi(this, 'Api', {
      ...tables,
      ...common,
      api: props.api,
      graphqlUrl: props.graphqlUrl,
      stateMachine: this.workflow.stateMachine,
    });
  }
}
