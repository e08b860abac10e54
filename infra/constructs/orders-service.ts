import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { OrdersApi } from './orders-api.js';
import { OrdersTables } from './orders-tables.js';
import { OrdersPayments, type PaymentProviderKind, paymentProviderFromContext } from './orders-payments.js';
import { type ApprovalSettings, OrderWorkflow } from './orders-workflow.js';

export interface OrdersProps {
  readonly api: GraphqlApi;
  readonly graphqlUrl: string;
  /** @default - the alarms have no action */
  readonly alarmTopic?: ITopic;
  /** @default Duration.seconds(3) */
  readonly paymentSimulatorSlow?: Duration;
  /** @default context `paymentProvider`, else `simulator` (refused in prod) */
  readonly paymentProvider?: PaymentProviderKind;
  /** @default from context (`approvalThresholdCents`, `approvalTimeoutSeconds`, `approvalHeartbeatSeconds`), else the workflow's defaults */
  readonly approval?: ApprovalSettings;
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
  public readonly payments: OrdersPayments;

  constructor(scope: Construct, id: string, props: OrdersProps) {
    super(scope, id);
    // Each part applies the stage defaults itself (stageDefaults); this one passes the stage's choice on.
    const { removalPolicy, logRetention, projectRoot } = props;
    const common = { projectRoot, logRetention, removalPolicy };

    this.tables = new OrdersTables(this, 'Tables', { removalPolicy });
    const tables = {
      ordersTable: this.tables.orders,
      productsTable: this.tables.products,
      paymentsTable: this.tables.payments,
    };
    this.payments = new OrdersPayments(this, 'Payments', {
      kind: props.paymentProvider ?? paymentProviderFromContext(this),
      production: this.node.tryGetContext('stage') === 'prod',
      paymentsTable: this.tables.payments,
      simulatorSlow: props.paymentSimulatorSlow ?? Duration.seconds(3),
      removalPolicy,
    });
    this.workflow = new OrderWorkflow(this, 'Workflow', {
      ...tables,
      payments: this.payments,
      ...common,
      api: props.api,
      graphqlUrl: props.graphqlUrl,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
      approval: props.approval ?? approvalFromContext(this),
    });
    this.api = new OrdersApi(this, 'Api', {
      ordersTable: this.tables.orders,
      productsTable: this.tables.products,
      payments: this.payments,
      ...common,
      api: props.api,
      graphqlUrl: props.graphqlUrl,
      stateMachine: this.workflow.stateMachine,
    });
  }
}

/** The approval settings from CDK context (tests shorten the waits: `-c approvalTimeoutSeconds=8`). */
function approvalFromContext(scope: Construct): ApprovalSettings {
  const read = (key: string): number | undefined => {
    const value: unknown = scope.node.tryGetContext(key);
    if (value === undefined || value === '') return undefined;
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`context ${key} must be a positive integer, got ${JSON.stringify(value)}`);
    return number;
  };
  const threshold = read('approvalThresholdCents');
  const timeout = read('approvalTimeoutSeconds');
  const heartbeat = read('approvalHeartbeatSeconds');
  if (timeout !== undefined && heartbeat !== undefined && heartbeat >= timeout) {
    throw new Error('context approvalHeartbeatSeconds must be smaller than approvalTimeoutSeconds');
  }
  return {
    ...(threshold === undefined ? {} : { thresholdCents: threshold }),
    ...(timeout === undefined ? {} : { timeout: Duration.seconds(timeout) }),
    ...(heartbeat === undefined ? {} : { heartbeat: Duration.seconds(heartbeat) }),
  };
}
