/**
 * The orders handlers' dependencies, from environment variables only (the same code runs on
 * AWS and in the local stack). Each port is built on first use, so a function that was not
 * given a table (least privilege: ConfirmOrder never sees the products table) only fails if it
 * ever reaches for it, with a ConfigurationError naming the variable.
 *
 * Variables: ORDERS_TABLE, PRODUCTS_TABLE, PAYMENTS_TABLE, ORDER_WORKFLOW_ARN, GRAPHQL_URL,
 * AWS_REGION, PAYMENT_PROVIDER (`stripe` or `simulator`), STRIPE_SECRET_ARN (stripe),
 * PAYMENT_SIMULATOR_SLOW_MS (simulator; default 3000).
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { documentClient } from '../../shared/aws-clients.js';
import { ConfigurationError } from '../../shared/errors.js';
import { requireEnv } from '../../shared/config.js';
import { appSyncOrderEventPublisher } from '../adapters/appsync-order-event-publisher.js';
import { DynamoDbInventory, DynamoDbOrderRepository, DynamoDbProductCatalog } from '../adapters/dynamodb-orders.js';
import { DynamoDbPaymentLedger } from '../adapters/dynamodb-payment-ledger.js';
import { StepFunctionsOrderWorkflow } from '../adapters/sfn-order-workflow.js';
import { DynamoDbSalesLedger } from '../adapters/dynamodb-approvals.js';
import { ApprovalAndSaleSteps } from '../domain/approval-and-sale.js';
import { OrderSaga } from '../domain/order-saga.js';
import { OrdersService } from '../domain/orders-service.js';
import { DEFAULT_SLOW_MS, PaymentSimulator } from '../domain/payment-simulator.js';
import {
  type Inventory,
  type Log,
  type OrderEventPublisher,
  type OrderRepository,
  type OrderWorkflow,
  type PaymentProvider,
  type ProductCatalog,
  type SalesLedger,
  systemClock,
} from '../domain/ports.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A port whose implementation is built when one of its methods is first called. */
export function lazyPort<T extends object>(build: () => T): T {
  let instance: T | undefined;
  return new Proxy({} as T, {
    get(_target, property) {
      instance ??= build();
      const value = Reflect.get(instance, property, instance) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(instance) : value;
    },
  });
}

export type PaymentProviderFactory = (env: Env) => PaymentProvider;

/**
 * How this function builds its payment provider. Only the functions that pay, refund or prepare
 * a payment (their entries call `installPaymentProviders` with payment-wiring.ts's factory)
 * bundle the Stripe SDK, ~260 KiB that every other saga function would compile at each cold
 * start for nothing; the others keep the simulator, which they never call either.
 */
let paymentFactory: PaymentProviderFactory = (env) => simulatorFrom(env);

export function installPaymentProviders(factory: PaymentProviderFactory): void {
  paymentFactory = factory;
}

/** PAYMENT_PROVIDER `simulator` (the default): the payment simulator on PAYMENTS_TABLE. */
export function simulatorFrom(env: Env = process.env): PaymentProvider {
  const kind = env['PAYMENT_PROVIDER'] ?? 'simulator';
  if (kind !== 'simulator') {
    throw new ConfigurationError(`PAYMENT_PROVIDER must be "stripe" or "simulator", got "${kind}" (stripe only where payment-wiring.ts is installed)`);
  }
  const rawSlow = env['PAYMENT_SIMULATOR_SLOW_MS'];
  const slowMs = rawSlow === undefined || rawSlow.trim() === '' ? DEFAULT_SLOW_MS : Number(rawSlow);
  if (!Number.isInteger(slowMs) || slowMs < 0 || slowMs > 60_000) {
    throw new ConfigurationError(`PAYMENT_SIMULATOR_SLOW_MS must be an integer from 0 to 60000, got "${String(rawSlow)}"`);
  }
  return new PaymentSimulator({
    ledger: new DynamoDbPaymentLedger({ client: documentClient, tableName: requireEnv('PAYMENTS_TABLE', env) }),
    slowMs,
  });
}

interface Ports {
  readonly orders: OrderRepository;
  readonly catalog: ProductCatalog;
  readonly inventory: Inventory;
  readonly payments: PaymentProvider;
  readonly publisher: OrderEventPublisher;
  readonly workflow: OrderWorkflow;
  readonly sales: SalesLedger;
}

let ports: Ports | undefined;

function environmentPorts(): Ports {
  ports ??= {
    orders: lazyPort(() => new DynamoDbOrderRepository({ client: documentClient, tableName: requireEnv('ORDERS_TABLE') })),
    catalog: lazyPort(() => new DynamoDbProductCatalog({ client: documentClient, tableName: requireEnv('PRODUCTS_TABLE') })),
    inventory: lazyPort(
      () =>
        new DynamoDbInventory({
          client: documentClient,
          ordersTable: requireEnv('ORDERS_TABLE'),
          productsTable: requireEnv('PRODUCTS_TABLE'),
        }),
    ),
    payments: lazyPort(() => paymentFactory(process.env)),
    publisher: lazyPort(() => appSyncOrderEventPublisher({ url: requireEnv('GRAPHQL_URL'), region: requireEnv('AWS_REGION') })),
    workflow: lazyPort(
      () => new StepFunctionsOrderWorkflow({ client: new SFNClient({}), stateMachineArn: requireEnv('ORDER_WORKFLOW_ARN') }),
    ),
    sales: lazyPort(
      () =>
        new DynamoDbSalesLedger({ client: documentClient, ordersTable: requireEnv('ORDERS_TABLE'), productsTable: requireEnv('PRODUCTS_TABLE') }),
    ),
  };
  return ports;
}

export function ordersServiceFromEnvironment(): OrdersService {
  return new OrdersService({ ...environmentPorts(), clock: systemClock });
}

export function orderSagaFromEnvironment(log: Log): OrderSaga {
  return new OrderSaga({ ...environmentPorts(), clock: systemClock, log });
}

export function approvalAndSaleStepsFromEnvironment(log: Log): ApprovalAndSaleSteps {
  return new ApprovalAndSaleSteps({ ...environmentPorts(), clock: systemClock, log });
}
