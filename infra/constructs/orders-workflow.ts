import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IGraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JitterType,
  JsonPath,
  LogLevel,
  Parallel,
  Pass,
  type RetryProps,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { APPROVAL_TIMEOUT_ERRORS, SAGA_OUTCOME_ERRORS } from '../../resolvers/orders/domain/errors.js';
import type { OrdersPayments } from './orders-payments.js';
import { ServiceFunction, type TableAccess } from './service-function.js';
import { stageDefaults } from './stage-defaults.js';

/** The one mutation the saga's functions may call. */
export const PUBLISH_ORDER_EVENT_MUTATION = 'publishOrderEvent';

/** Where a Catch puts the forward step's error, and a compensation's. */
export const ERROR_PATH = '$.error';
export const COMPENSATION_ERROR_PATH = '$.compensationError';

type StepTables = { readonly orders: TableAccess; readonly products?: TableAccess; readonly payments?: TableAccess };

interface StepSpec {
  /** The state's name, and the function's construct id. */
  readonly state: string;
  readonly entry: string;
  readonly role: 'forward' | 'approval' | 'compensation' | 'escalation' | 'notification' | 'sale';
  readonly tables: StepTables;
  /** Whether the step pays or refunds (the payment provider is bound to it). */
  readonly pays?: boolean;
  readonly timeout?: Duration;
}

/** One function per state, each with only the tables it touches. */
export const ORDER_STEPS = [
  { state: 'ValidateOrder', entry: 'resolvers/orders/handlers/validate-order.ts', role: 'forward', tables: { orders: 'RW', products: 'RO' } },
  {
    state: 'ProcessPayment',
    entry: 'resolvers/orders/handlers/process-payment.ts',
    role: 'forward',
    tables: { orders: 'RW' },
    pays: true,
    // The simulator's slow token takes seconds; a real provider may too.
    timeout: Duration.seconds(30),
  },
  { state: 'RequestApproval', entry: 'resolvers/orders/handlers/request-approval.ts', role: 'approval', tables: { orders: 'RW' } },
  { state: 'ReserveInventory', entry: 'resolvers/orders/handlers/reserve-inventory.ts', role: 'forward', tables: { orders: 'RW', products: 'RW' } },
  { state: 'ConfirmOrder', entry: 'resolvers/orders/handlers/confirm-order.ts', role: 'forward', tables: { orders: 'RW' } },
  { state: 'NotifyCustomer', entry: 'resolvers/orders/handlers/notify-customer.ts', role: 'notification', tables: { orders: 'RW' } },
  { state: 'RecordSale', entry: 'resolvers/orders/handlers/record-sale.ts', role: 'sale', tables: { orders: 'RW', products: 'RW' } },
  { state: 'ReleaseInventory', entry: 'resolvers/orders/handlers/release-inventory.ts', role: 'compensation', tables: { orders: 'RW', products: 'RW' } },
  {
    state: 'RefundPayment',
    entry: 'resolvers/orders/handlers/refund-payment.ts',
    role: 'compensation',
    tables: { orders: 'RW' },
    pays: true,
    timeout: Duration.seconds(30),
  },
  { state: 'MarkFailed', entry: 'resolvers/orders/handlers/mark-failed.ts', role: 'compensation', tables: { orders: 'RW' } },
  { state: 'MarkNeedsAttention', entry: 'resolvers/orders/handlers/mark-needs-attention.ts', role: 'escalation', tables: { orders: 'RW' } },
] as const satisfies readonly StepSpec[];

export type OrderState = (typeof ORDER_STEPS)[number]['state'];

/** Lambda's own transient failures: every Task retries them, with backoff and full jitter. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

export const LAMBDA_RETRY: RetryProps = {
  errors: [...LAMBDA_SERVICE_ERRORS],
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.seconds(30),
  jitterStrategy: JitterType.FULL,
};

/** A saga outcome (declined, out of stock, cancelled, ...) is final: never retried. */
export const OUTCOME_NO_RETRY: RetryProps = { errors: [...SAGA_OUTCOME_ERRORS], maxAttempts: 0 };

/** Anything else a forward step throws (a provider outage, a throttled table) is retried a few times. */
export const FORWARD_RETRY: RetryProps = {
  errors: ['States.ALL'],
  interval: Duration.seconds(1),
  maxAttempts: 3,
  backoffRate: 2,
  maxDelay: Duration.seconds(10),
  jitterStrategy: JitterType.FULL,
};

/** Undoing must not give up lightly: more attempts, longer apart. */
export const COMPENSATION_RETRY: RetryProps = {
  errors: ['States.ALL'],
  interval: Duration.seconds(2),
  maxAttempts: 5,
  backoffRate: 2,
  maxDelay: Duration.seconds(30),
  jitterStrategy: JitterType.FULL,
};

/** A waiting approval's timeouts end the wait: never retried with a fresh token. */
export const APPROVAL_TIMEOUT_NO_RETRY: RetryProps = { errors: [...APPROVAL_TIMEOUT_ERRORS], maxAttempts: 0 };

/** Counting a sale may wait: more attempts, and a confirmed order never fails for it. */
export const SALE_RETRY: RetryProps = {
  errors: ['States.ALL'],
  interval: Duration.seconds(2),
  maxAttempts: 5,
  backoffRate: 2,
  maxDelay: Duration.seconds(60),
  jitterStrategy: JitterType.FULL,
};

/** When an order waits for a person, and for how long (docs/orders.md). */
export interface ApprovalSettings {
  /** An order whose total reaches this (minor units, in the order's currency) waits. @default 100_000 */
  readonly thresholdCents?: number;
  /** How long the order waits in all. @default 24 hours */
  readonly timeout?: Duration;
  /** How long it waits without a heartbeat (an approver listing it). @default half the timeout */
  readonly heartbeat?: Duration;
}

export const DEFAULT_APPROVAL_THRESHOLD_CENTS = 100_000;

export interface OrderWorkflowProps {
  readonly ordersTable: ITable;
  readonly productsTable: ITable;
  readonly paymentsTable: ITable;
  /** The payment provider ProcessPayment and RefundPayment use. */
  readonly payments: OrdersPayments;
  /** The API whose `publishOrderEvent` mutation announces each step. */
  readonly api: IGraphqlApi;
  /** The API's GraphQL endpoint (`GRAPHQL_URL`). */
  readonly graphqlUrl: string;


  /** @default thresholdCents 100_000, timeout 24 h, heartbeat 12 h */
  readonly approval?: ApprovalSettings;

  /**
   * Where the alarms notify. Without one, the alarms still change state in CloudWatch.
   * @default - no action
   */
  readonly alarmTopic?: ITopic;

  /**
   * @default the repository root
   */
  readonly projectRoot?: string;

  /**
   * How long the functions' and the state machine's logs are kept.
   * @default the stage's retention, set by the production posture (infra/aspects); unlimited
   * where no posture applies
   */
  readonly logRetention?: RetentionDays;

  /**
   * What happens to the log groups when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The order saga: a STANDARD state machine (logging of every event with its data, X-Ray
 * tracing) over one small function per state.
 *
 *   ValidateOrder -> NeedsApproval? -> [RequestApproval: waits for a person] -> ProcessPayment
 *     -> ReserveInventory -> ConfirmOrder -> Fulfil (Parallel: NotifyConfirmed | RecordSale)
 *
 * Each forward step catches into the compensation that undoes what was done before it, in
 * reverse order: ReleaseInventory -> RefundPayment -> MarkFailed -> NotifyCustomer. Each
 * compensation is idempotent (it undoes what its records say is still done) and retried; one
 * that still fails goes to MarkNeedsAttention and then to a Fail state, so the execution fails
 * and the failed-executions alarm goes off.
 */
export class OrderWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly functions: Readonly<Record<OrderState, ServiceFunction>>;
  public readonly logGroup: LogGroup;
  // The failed-executions alarm (a compensation failed for good) comes from the production
  // posture aspect, which gives every state machine one.
  public readonly timedOutExecutionsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: OrderWorkflowProps) {
    super(scope, id);
    const { removalPolicy, logRetention } = stageDefaults(props);
    const tables: Record<keyof StepTables, ITable> = {
      orders: props.ordersTable,
      products: props.productsTable,
      payments: props.paymentsTable,
    };
    const envNames: Record<keyof StepTables, string> = {
      orders: 'ORDERS_TABLE',
      products: 'PRODUCTS_TABLE',
      payments: 'PAYMENTS_TABLE',
    };

    const functions = {} as Record<OrderState, ServiceFunction>;
    for (const spec of ORDER_STEPS as readonly StepSpec[]) {
      const fn = new ServiceFunction(this, spec.state, {
        entry: spec.entry,
        serviceName: `orders-${spec.entry.split('/').at(-1)?.replace(/\.ts$/, '')}`,
        projectRoot: props.projectRoot,
        logRetention,
        removalPolicy,
        ...(spec.timeout === undefined ? {} : { timeout: spec.timeout }),
        environment: { GRAPHQL_URL: props.graphqlUrl },
      });
      if (spec.pays === true) props.payments.bind(fn);
      for (const [name, access] of Object.entries(spec.tables) as [keyof StepTables, TableAccess][]) {
        fn.bindTable(tables[name], access, envNames[name]);
      }
      props.api.grantMutation(fn.fn, PUBLISH_ORDER_EVENT_MUTATION);
      functions[spec.state as OrderState] = fn;
    }
    this.functions = functions;

    const task = (state: OrderState, stateName: string = state) => {
      const spec = (ORDER_STEPS as readonly StepSpec[]).find((s) => s.state === state)!;
      const invoke = new LambdaInvoke(this, `${stateName}Task`, {
        stateName,
        lambdaFunction: functions[state].fn,
        // The step's result goes to the history; the state passes its input on unchanged.
        resultPath: JsonPath.DISCARD,
        // The defaults retry other errors without jitter; this definition says what it retries.
        retryOnServiceExceptions: false,
        taskTimeout: Timeout.duration((spec.timeout ?? Duration.seconds(10)).plus(Duration.seconds(5))),
      });
      invoke.addRetry(LAMBDA_RETRY);
      invoke.addRetry(OUTCOME_NO_RETRY);
      invoke.addRetry(spec.role === 'forward' ? FORWARD_RETRY : spec.role === 'sale' ? SALE_RETRY : COMPENSATION_RETRY);
      return invoke;
    };

    // The approval: the function stores the token with the order; approveOrder / rejectOrder answer it.
    const approvalTimeout = props.approval?.timeout ?? Duration.hours(24);
    const approvalHeartbeat = props.approval?.heartbeat ?? Duration.seconds(Math.ceil(approvalTimeout.toSeconds() / 2));
    const requestApproval = new LambdaInvoke(this, 'RequestApprovalTask', {
      stateName: 'RequestApproval',
      lambdaFunction: functions.RequestApproval.fn,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({ orderId: JsonPath.stringAt('$.orderId'), taskToken: JsonPath.taskToken }),
      // The approver's answer, for the history.
      resultPath: '$.approval',
      retryOnServiceExceptions: false,
      taskTimeout: Timeout.duration(approvalTimeout),
      heartbeatTimeout: Timeout.duration(approvalHeartbeat),
    });
    requestApproval.addRetry(LAMBDA_RETRY);
    requestApproval.addRetry(OUTCOME_NO_RETRY);
    requestApproval.addRetry(APPROVAL_TIMEOUT_NO_RETRY);
    requestApproval.addRetry(FORWARD_RETRY);

    const validate = task('ValidateOrder');
    const payment = task('ProcessPayment');
    const reserve = task('ReserveInventory');
    const confirm = task('ConfirmOrder');
    const notify = task('NotifyCustomer');
    const release = task('ReleaseInventory');
    const refund = task('RefundPayment');
    const markFailed = task('MarkFailed');
    const escalate = task('MarkNeedsAttention');

    const done = new Succeed(this, 'Done');
    const compensationFailed = new Fail(this, 'CompensationFailed', {
      error: 'CompensationFailed',
      cause: 'A compensation failed after its retries; the order is NEEDS_ATTENTION',
    });

    // Compensation, in reverse order of the forward steps.
    release.next(refund);
    refund.next(markFailed);
    markFailed.next(notify);
    for (const compensation of [release, refund, markFailed]) {
      compensation.addCatch(escalate, { resultPath: COMPENSATION_ERROR_PATH });
    }
    escalate.next(compensationFailed);

    // Each forward step enters compensation where what it did, and what came before, is undone.
    validate.addCatch(markFailed, { resultPath: ERROR_PATH });
    // A decline charged nothing; any other failure may have charged (a lost response).
    payment.addCatch(markFailed, { errors: ['PaymentDeclined'], resultPath: ERROR_PATH });
    payment.addCatch(refund, { resultPath: ERROR_PATH });
    // Out of stock reserved nothing (all or nothing); any other failure may have reserved.
    reserve.addCatch(refund, { errors: ['OutOfStock'], resultPath: ERROR_PATH });
    reserve.addCatch(release, { resultPath: ERROR_PATH });
    confirm.addCatch(release, { resultPath: ERROR_PATH });

    // Over the threshold, a person decides before anything is charged. A rejection, a timeout or a
    // cancellation fails the order (MarkFailed says why), with nothing to undo.
    const threshold = props.approval?.thresholdCents ?? DEFAULT_APPROVAL_THRESHOLD_CENTS;
    const needsApproval = new Choice(this, 'NeedsApproval')
      .when(Condition.and(Condition.isPresent('$.totalCents'), Condition.numberGreaterThanEquals('$.totalCents', threshold)), requestApproval)
      .otherwise(payment);
    requestApproval.addCatch(markFailed, { resultPath: ERROR_PATH });
    requestApproval.next(payment);

    // After confirmation, telling the customer and counting the sale run side by side. Counting
    // is retried and caught in its branch, so it never fails the confirmed order; when it fails
    // for good the execution ends in SaleNotRecorded (the failed-executions alarm; the order
    // stays CONFIRMED and the step can be run again).
    const recordSale = task('RecordSale');
    recordSale.addCatch(new Pass(this, 'SaleNotCounted', { result: { value: { recorded: false } }, resultPath: '$.sale' }), {
      resultPath: '$.saleError',
    });
    const counted = new Pass(this, 'SaleCounted', { result: { value: { recorded: true } }, resultPath: '$.sale' });
    recordSale.next(counted);
    const fulfil = new Parallel(this, 'Fulfil', {
      resultSelector: { 'saleRecorded.$': '$[1].sale.recorded' },
      resultPath: '$.fulfilment',
    })
      .branch(task('NotifyCustomer', 'NotifyConfirmed'))
      .branch(recordSale);
    const saleNotRecorded = new Fail(this, 'SaleNotRecorded', {
      error: 'SaleNotRecorded',
      cause: 'RecordSale failed after its retries; the order is CONFIRMED and its sale is not counted yet (docs/operations.md)',
    });
    const afterFulfil = new Choice(this, 'SaleRecorded')
      .when(Condition.booleanEquals('$.fulfilment.saleRecorded', false), saleNotRecorded)
      .otherwise(new Succeed(this, 'Fulfilled'));

    validate.next(needsApproval);
    payment.next(reserve).next(confirm).next(fulfil);
    fulfil.next(afterFulfil);
    notify.next(done);

    this.logGroup = new LogGroup(this, 'Logs', { retention: logRetention, removalPolicy });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(validate),
      comment: 'Order saga: validate, approve over a threshold, pay, reserve, confirm, notify and count the sale; compensate in reverse on failure (docs/orders.md)',
      // Long enough for the approval's wait and the saga after it.
      timeout: approvalTimeout.plus(Duration.hours(1)),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });

    this.timedOutExecutionsAlarm = new Alarm(this, 'TimedOutExecutionsAlarm', {
      alarmDescription: 'An order execution timed out: the order is stuck mid-saga. Runbook: docs/operations.md#state-machine-timed-out',
      metric: this.stateMachine.metricTimedOut({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      this.timedOutExecutionsAlarm.addAlarmAction(new SnsAction(props.alarmTopic));
    }
  }
}
