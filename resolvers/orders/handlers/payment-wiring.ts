/**
 * The payment provider of the functions that pay, refund or prepare payments (ProcessPayment,
 * RefundPayment, the orders API): PAYMENT_PROVIDER `stripe` (the secret key's ARN in
 * STRIPE_SECRET_ARN, read from Secrets Manager) or `simulator` (local use and tests; the prod
 * stage refuses it). Their entries install it (wiring.ts says why the others do not).
 */
import { requireEnv } from '../../shared/config.js';
import { StripePaymentProvider } from '../adapters/stripe-payment-provider.js';
import { stripeSecretKey } from '../adapters/stripe-secret.js';
import type { PaymentProvider } from '../domain/ports.js';
import { installPaymentProviders, simulatorFrom } from './wiring.js';

export function paymentProviderFrom(env: Readonly<Record<string, string | undefined>> = process.env): PaymentProvider {
  if (env['PAYMENT_PROVIDER'] === 'stripe') {
    return new StripePaymentProvider({ secretKey: stripeSecretKey(requireEnv('STRIPE_SECRET_ARN', env)) });
  }
  return simulatorFrom(env);
}

/** Called by the paying functions' entries, before their first request. */
export function installStripeOrSimulator(): void {
  installPaymentProviders(paymentProviderFrom);
}
