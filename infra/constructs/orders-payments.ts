import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/index.js';
import type { ServiceFunction } from './service-function.js';
import { stageDefaults } from './stage-defaults.js';

/** Which payment provider the orders functions use: context `paymentProvider`. */
export const PAYMENT_PROVIDERS = ['simulator', 'stripe'] as const;
export type PaymentProviderKind = (typeof PAYMENT_PROVIDERS)[number];

/** A configuration the app refuses to build; infra/app.ts prints its one-line message. */
export class ConfigurationRefusedError extends Error {
  override readonly name = 'ConfigurationRefusedError';
}

export const SIMULATOR_IN_PROD_MESSAGE =
  'The prod stage cannot use the payment simulator (anyone could pay with tok_approve): synthesize with -c paymentProvider=stripe and put the Stripe secret key in the StripeSecretKey secret (docs/orders.md)';

export interface OrdersPaymentsProps {
  readonly kind: PaymentProviderKind;
  /** Whether this is the prod stage, which refuses the simulator. */
  readonly production: boolean;
  /** The simulator's ledger. */
  readonly paymentsTable: ITable;
  /** How long the simulator's `tok_slow` takes. */
  readonly simulatorSlow: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The payment provider of the orders functions. Stripe: its secret key lives in Secrets Manager
 * (the template holds the secret's ARN only; the value is set by an operator after the first
 * deployment) and each function that pays, refunds or prepares a payment may read it. The
 * simulator: its ledger table, for local use and tests only.
 */
export class OrdersPayments extends Construct {
  public readonly kind: PaymentProviderKind;
  public readonly secret: Secret | undefined;
  readonly #props: OrdersPaymentsProps;

  constructor(scope: Construct, id: string, props: OrdersPaymentsProps) {
    super(scope, id);
    if (props.production && props.kind === 'simulator') throw new ConfigurationRefusedError(SIMULATOR_IN_PROD_MESSAGE);
    this.kind = props.kind;
    this.#props = props;
    if (props.kind === 'stripe') {
      this.secret = new Secret(this, 'StripeSecretKey', {
        description: 'The Stripe secret API key (sk_live_...). Set it with `aws secretsmanager put-secret-value` after the first deployment.',
        removalPolicy: stageDefaults(props).removalPolicy,
      });
      acknowledge(
        this.secret,
        'AwsSolutions-SMG4',
        'A Stripe API key is rolled in the Stripe dashboard, then put here by an operator; Secrets Manager cannot rotate it by itself (docs/operations.md)',
      );
    }
  }

  /** Gives `fn` the provider: its environment and the access it needs. */
  bind(fn: ServiceFunction): void {
    if (this.secret !== undefined) {
      fn.addEnvironment('PAYMENT_PROVIDER', 'stripe').addEnvironment('STRIPE_SECRET_ARN', this.secret.secretArn);
      this.secret.grantRead(fn.fn);
      return;
    }
    fn.addEnvironment('PAYMENT_PROVIDER', 'simulator').addEnvironment('PAYMENT_SIMULATOR_SLOW_MS', String(this.#props.simulatorSlow.toMilliseconds()));
    fn.bindTable(this.#props.paymentsTable, 'RW', 'PAYMENTS_TABLE');
  }
}

/** The provider from context `paymentProvider` (default `simulator`). */
export function paymentProviderFromContext(scope: Construct): PaymentProviderKind {
  const value: unknown = scope.node.tryGetContext('paymentProvider') ?? 'simulator';
  if (!(PAYMENT_PROVIDERS as readonly unknown[]).includes(value)) {
    throw new ConfigurationRefusedError(`context paymentProvider must be one of ${PAYMENT_PROVIDERS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as PaymentProviderKind;
}
