import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripePaymentProvider } from '../../../resolvers/orders/adapters/stripe-payment-provider.js';
import { stripeSecretKey } from '../../../resolvers/orders/adapters/stripe-secret.js';
import { OrdersService } from '../../../resolvers/orders/domain/orders-service.js';
import { type StripeStandIn, startStripeStandIn } from '../../support/stripe-stand-in.js';
import { world } from './fakes.js';

/**
 * The Stripe adapter against a local HTTP stand-in that answers the endpoints it calls as
 * Stripe's API reference documents them (no network), with its secret key read from a Secrets
 * Manager stand-in through Powertools' parameters utility.
 */

let standIn: StripeStandIn;
let secrets: SecretsProvider;

beforeAll(async () => {
  standIn = await startStripeStandIn();
  secrets = new SecretsProvider({
    clientConfig: {
      endpoint: `http://127.0.0.1:${standIn.port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    },
  });
});

afterAll(async () => {
  await standIn?.close();
});

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:StripeSecretKey-AbCdEf';

function provider() {
  return new StripePaymentProvider({
    secretKey: stripeSecretKey(SECRET_ARN, secrets),
    api: { host: '127.0.0.1', port: standIn.port, protocol: 'http' },
  });
}

let orders = 0;
const orderId = () => `order-${Date.now().toString(36)}-${(orders += 1)}`;

describe('given the Stripe adapter', () => {
  it('when an order is prepared and charged twice, then one PaymentIntent is confirmed once, keyed by the order id', async () => {
    const stripe = provider();
    const id = orderId();

    const { paymentId } = await stripe.prepare({ orderId: id, amountCents: 2500, currency: 'USD', paymentToken: 'pm_card_visa' });
    const again = await stripe.prepare({ orderId: id, amountCents: 2500, currency: 'USD', paymentToken: 'pm_card_visa' });
    const first = await stripe.charge({ orderId: id, paymentId, amountCents: 2500, currency: 'USD' });
    const second = await stripe.charge({ orderId: id, paymentId, amountCents: 2500, currency: 'USD' });

    expect(again.paymentId).toBe(paymentId);
    expect(paymentId).toMatch(/^pi_/);
    expect(first).toEqual({ status: 'APPROVED', reference: paymentId });
    expect(second).toEqual(first);
    const confirms = standIn.requests.filter((r) => r.path === `/v1/payment_intents/${paymentId}/confirm`);
    expect(confirms.map((r) => r.idempotencyKey)).toEqual([id, id]);
    expect(standIn.intents.get(paymentId)).toMatchObject({ status: 'succeeded', amount_received: 2500, currency: 'usd', metadata: { orderId: id } });
    const creates = standIn.requests.filter((r) => r.path === '/v1/payment_intents' && r.form.get('metadata[orderId]') === id);
    expect(creates.map((r) => [r.idempotencyKey, r.form.get('amount'), r.form.get('payment_method')])).toEqual([
      [`prepare-${id}`, '2500', 'pm_card_visa'],
      [`prepare-${id}`, '2500', 'pm_card_visa'],
    ]);
    expect(creates[0]?.authorization).toBe('Bearer sk_test_standin');
  });

  it('when the card is declined, then the charge is DECLINED with Stripe\'s code and message', async () => {
    const stripe = provider();
    const id = orderId();
    const { paymentId } = await stripe.prepare({ orderId: id, amountCents: 900, currency: 'EUR', paymentToken: 'pm_card_chargeDeclined' });

    const result = await stripe.charge({ orderId: id, paymentId, amountCents: 900, currency: 'EUR' });

    expect(result).toEqual({ status: 'DECLINED', reason: 'card_declined: Your card was declined.' });
  });

  it('when Stripe answers 500, then PaymentProviderUnavailable (Step Functions retries), and the retry charges', async () => {
    const stripe = provider();
    const id = orderId();
    const { paymentId } = await stripe.prepare({ orderId: id, amountCents: 100, currency: 'USD', paymentToken: 'pm_card_visa' });
    standIn.failNext(1);

    await expect(stripe.charge({ orderId: id, paymentId, amountCents: 100, currency: 'USD' })).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    expect((await stripe.charge({ orderId: id, paymentId, amountCents: 100, currency: 'USD' })).status).toBe('APPROVED');
  });

  it('when a charge is refunded twice, then one refund with an idempotency key, and the record lists the charge and the refund', async () => {
    const stripe = provider();
    const id = orderId();
    const { paymentId } = await stripe.prepare({ orderId: id, amountCents: 4200, currency: 'USD', paymentToken: 'pm_card_visa' });
    const unpaid = await stripe.refund({ orderId: id, paymentId });
    await stripe.charge({ orderId: id, paymentId, amountCents: 4200, currency: 'USD' });

    const first = await stripe.refund({ orderId: id, paymentId });
    const second = await stripe.refund({ orderId: id, paymentId });
    const record = await stripe.transactions({ orderId: id, paymentId });

    expect(unpaid).toEqual({ status: 'NOTHING_TO_REFUND' });
    expect(first.status).toBe('REFUNDED');
    expect(second).toEqual(first);
    expect(standIn.requests.filter((r) => r.path === '/v1/refunds' && r.method === 'POST' && r.form.get('payment_intent') === paymentId).map((r) => r.idempotencyKey)).toEqual([
      `refund-${id}`,
      `refund-${id}`,
    ]);
    expect(record.map((t) => [t.type, t.amountCents, t.currency])).toEqual([
      ['CHARGE', 4200, 'USD'],
      ['REFUND', 4200, 'USD'],
    ]);
  });

  it('when the secret is read many times, then Secrets Manager is asked once (cached), and a secret that is no Stripe key is refused', async () => {
    const cached = new SecretsProvider({ clientConfig: { endpoint: `http://127.0.0.1:${standIn.port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } } });
    const reads = standIn.secretReads;
    const key = stripeSecretKey(`${SECRET_ARN}-cache`, cached);

    const values = [await key(), await key(), await key()];
    standIn.secret = 'not-a-key';
    const refused = stripeSecretKey(`${SECRET_ARN}-other`, cached)();

    expect(values).toEqual(['sk_test_standin', 'sk_test_standin', 'sk_test_standin']);
    expect(standIn.secretReads - reads).toBe(1);
    await expect(refused).rejects.toThrow(/does not hold a Stripe secret key/);
    standIn.secret = 'sk_test_standin';
  });

  it('when an order is placed with Stripe, then the order keeps the PaymentIntent id and never the client\'s token', async () => {
    const w = world();
    const service = new OrdersService({ ...w, payments: provider() });

    const order = await service.placeOrder('alice', { items: [{ sku: 'MUG-01', quantity: 1 }], paymentToken: 'pm_card_visa', clientToken: orderId() }, { transactions: false });
    const stored = w.orders.records.get(order.id)!;

    expect(stored.paymentId).toMatch(/^pi_/);
    expect(JSON.stringify(stored)).not.toContain('pm_card_visa');
  });
});
