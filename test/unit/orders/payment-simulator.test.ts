import { describe, expect, it } from 'vitest';
import {
  DECLINE_REASON,
  INVALID_TOKEN_REASON,
  PaymentSimulator,
  TEST_TOKENS,
  simulatorPaymentId,
} from '../../../resolvers/orders/domain/payment-simulator.js';
import { FakeLedger } from './fakes.js';

function given(options: { slowMs?: number } = {}) {
  const ledger = new FakeLedger();
  const slept: number[] = [];
  const simulator = new PaymentSimulator({
    ledger,
    slowMs: options.slowMs ?? 1500,
    now: () => new Date('2026-03-01T10:00:00.000Z'),
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { ledger, simulator, slept };
}

/** Places (prepares) and charges an order's payment, as placeOrder and ProcessPayment do. */
async function pay(simulator: PaymentSimulator, paymentToken: string, orderId = 'o-1', amountCents = 1000) {
  const { paymentId } = await simulator.prepare({ orderId, amountCents, currency: 'USD', paymentToken });
  return simulator.charge({ orderId, amountCents, currency: 'USD', paymentId });
}

const ref = (orderId: string) => ({ orderId, paymentId: simulatorPaymentId(orderId) });

describe('the payment simulator', () => {
  it('documents exactly the tokens it knows', () => {
    expect(Object.keys(TEST_TOKENS).sort()).toEqual(
      ['tok_always_fail', 'tok_approve', 'tok_decline', 'tok_fail_once', 'tok_refund_always_fail', 'tok_refund_fail_once', 'tok_slow'].sort(),
    );
  });

  it('given tok_approve, when charged twice (also at once), then one charge with one reference', async () => {
    const { simulator, ledger } = given();

    const results = await Promise.all([pay(simulator, 'tok_approve'), pay(simulator, 'tok_approve')]);
    const again = await pay(simulator, 'tok_approve');

    expect(new Set([...results, again].map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify(results[0])]));
    expect(results[0]?.status).toBe('APPROVED');
    expect(ledger.charges.size).toBe(1);
  });

  it('given a charged order, when charged again with another amount, then it refuses to charge twice', async () => {
    const { simulator } = given();
    await pay(simulator, 'tok_approve');

    await expect(pay(simulator, 'tok_approve', 'o-1', 2000)).rejects.toMatchObject({ name: 'PaymentConflict' });
  });

  it('given tok_decline, when charged (twice), then declined with the reason both times and nothing charged', async () => {
    const { simulator, ledger } = given();

    expect(await pay(simulator, 'tok_decline')).toEqual({ status: 'DECLINED', reason: DECLINE_REASON });
    expect(await pay(simulator, 'tok_decline')).toEqual({ status: 'DECLINED', reason: DECLINE_REASON });
    expect(ledger.charges.size).toBe(0);
  });

  it('given an unknown token, when charged, then declined as invalid', async () => {
    const { simulator } = given();
    expect(await pay(simulator, 'tok_nonsense')).toEqual({ status: 'DECLINED', reason: INVALID_TOKEN_REASON });
  });

  it('given tok_fail_once, when charged, then the first attempt is unavailable and the second approved', async () => {
    const { simulator } = given();

    await expect(pay(simulator, 'tok_fail_once')).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    expect((await pay(simulator, 'tok_fail_once')).status).toBe('APPROVED');
  });

  it('given tok_always_fail, when charged again and again, then always unavailable and never charged', async () => {
    const { simulator, ledger } = given();
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await expect(pay(simulator, 'tok_always_fail')).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    }
    expect(ledger.charges.size).toBe(0);
  });

  it('given tok_slow, when charged, then it waits the configured time and approves', async () => {
    const { simulator, slept } = given({ slowMs: 1500 });
    expect((await pay(simulator, 'tok_slow')).status).toBe('APPROVED');
    expect(slept).toEqual([1500]);
  });

  it('given a charge, when refunded twice, then one refund of the whole amount; without a charge, nothing to refund', async () => {
    const { simulator, ledger } = given();
    await pay(simulator, 'tok_approve');

    const first = await simulator.refund(ref('o-1'));
    const second = await simulator.refund(ref('o-1'));

    expect(first.status).toBe('REFUNDED');
    expect(second).toEqual({ status: 'ALREADY_REFUNDED', reference: first.status === 'REFUNDED' ? first.reference : '' });
    expect(ledger.refunds.get('o-1')?.amountCents).toBe(1000);
    expect(await simulator.refund(ref('o-2'))).toEqual({ status: 'NOTHING_TO_REFUND' });
    expect((await simulator.transactions(ref('o-1'))).map((t) => [t.type, t.amountCents])).toEqual([
      ['CHARGE', 1000],
      ['REFUND', 1000],
    ]);
  });

  it('given concurrent refunds, when they race, then exactly one refunds', async () => {
    const { simulator, ledger } = given();
    await pay(simulator, 'tok_approve');

    const results = await Promise.all([simulator.refund(ref('o-1')), simulator.refund(ref('o-1')), simulator.refund(ref('o-1'))]);

    expect(results.filter((r) => r.status === 'REFUNDED')).toHaveLength(1);
    expect(ledger.refunds.size).toBe(1);
  });

  it('given tok_refund_fail_once, when refunded, then the first attempt is unavailable and the retry refunds', async () => {
    const { simulator } = given();
    await pay(simulator, 'tok_refund_fail_once');

    await expect(simulator.refund(ref('o-1'))).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    expect((await simulator.refund(ref('o-1'))).status).toBe('REFUNDED');
  });

  it('given tok_refund_always_fail, when refunded, then always unavailable', async () => {
    const { simulator, ledger } = given();
    await pay(simulator, 'tok_refund_always_fail');

    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(simulator.refund(ref('o-1'))).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    }
    expect(ledger.refunds.size).toBe(0);
  });
});
