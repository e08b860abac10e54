/**
 * The payment provider on Stripe (the `stripe` package), behind the same interface as the
 * simulator:
 * - prepare: a PaymentIntent for the order's total with the client's PaymentMethod, not yet
 *   confirmed (POST /v1/payment_intents, idempotency key `prepare-<orderId>`); the order keeps
 *   the PaymentIntent's id, never the client's token;
 * - charge: confirms it (POST /v1/payment_intents/:id/confirm) with the order id as the
 *   idempotency key, so a retried step confirms once; a card error is a decline, a connection or
 *   server error is PaymentProviderUnavailable (retried);
 * - refund: a full refund of a succeeded PaymentIntent (POST /v1/refunds, key `refund-<orderId>`);
 * - transactions: the PaymentIntent and its refunds (GET /v1/payment_intents/:id, GET /v1/refunds).
 * The secret key is read when first needed (Secrets Manager, through `secretKey`).
 */
import Stripe from 'stripe';
import { PaymentConflictError, PaymentProviderUnavailableError } from '../domain/errors.js';
import type { PaymentTransactionRecord } from '../domain/model.js';
import type { ChargeRequest, ChargeResult, PaymentPreparation, PaymentProvider, PaymentRef, RefundResult } from '../domain/ports.js';

export interface StripePaymentProviderOptions {
  /** The secret API key (sk_...), e.g. from Secrets Manager with caching. */
  readonly secretKey: () => Promise<string>;
  /** Where the API is (tests point it at a local stand-in). @default Stripe's */
  readonly api?: { readonly host: string; readonly port: number; readonly protocol: 'http' | 'https' };
}

type StripeFailure = Error & { type?: string; code?: string; statusCode?: number; raw?: { message?: string } };

/** Errors a later attempt may not hit: the connection, Stripe's side, rate limits, idempotent requests in flight. */
const TRANSIENT = new Set(['StripeConnectionError', 'StripeAPIError', 'StripeRateLimitError', 'StripeIdempotencyError']);

function unavailable(error: unknown): never {
  const failure = error as StripeFailure;
  if (failure?.type !== undefined && TRANSIENT.has(failure.type)) {
    throw new PaymentProviderUnavailableError(`Stripe is unavailable: ${failure.message}`, { cause: error });
  }
  throw error;
}

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

export class StripePaymentProvider implements PaymentProvider {
  readonly #options: StripePaymentProviderOptions;
  #client: { key: string; stripe: Stripe } | undefined;

  constructor(options: StripePaymentProviderOptions) {
    this.#options = options;
  }

  /** A client for the current key: a rotated secret gets a new one. */
  async #stripe(): Promise<Stripe> {
    const key = await this.#options.secretKey();
    if (this.#client?.key !== key) {
      const api = this.#options.api;
      // Retries are Step Functions' (with backoff); the SDK's own would hide outages from it.
      this.#client = { key, stripe: new Stripe(key, { maxNetworkRetries: 0, timeout: 20_000, ...(api ?? {}) }) };
    }
    return this.#client.stripe;
  }

  async prepare(request: PaymentPreparation): Promise<{ readonly paymentId: string }> {
    const stripe = await this.#stripe();
    try {
      const intent = await stripe.paymentIntents.create(
        {
          amount: request.amountCents,
          currency: request.currency.toLowerCase(),
          payment_method: request.paymentToken,
          // Confirmed by ProcessPayment, off-session: no redirect-based methods.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          metadata: { orderId: request.orderId },
        },
        { idempotencyKey: `prepare-${request.orderId}` },
      );
      return { paymentId: intent.id };
    } catch (error) {
      return unavailable(error);
    }
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const stripe = await this.#stripe();
    let intent: Stripe.PaymentIntent;
    try {
      intent = await stripe.paymentIntents.confirm(request.paymentId, {}, { idempotencyKey: request.orderId });
    } catch (error) {
      const failure = error as StripeFailure;
      if (failure.type === 'StripeCardError') {
        // The message as Stripe's API sent it (the SDK's own carries the request id).
        return { status: 'DECLINED', reason: `${failure.code ?? 'card_declined'}: ${failure.raw?.message ?? failure.message}` };
      }
      if (failure.code === 'payment_intent_unexpected_state') {
        // Confirmed before (another key, or a lost answer): what counts is the PaymentIntent now.
        intent = await stripe.paymentIntents.retrieve(request.paymentId).catch(unavailable);
      } else {
        return unavailable(error);
      }
    }
    if (intent.amount !== request.amountCents || intent.currency !== request.currency.toLowerCase()) {
      throw new PaymentConflictError(`PaymentIntent ${intent.id} is for ${intent.amount} ${intent.currency}; refusing to charge ${request.amountCents} ${request.currency}`);
    }
    switch (intent.status) {
      case 'succeeded':
        return { status: 'APPROVED', reference: intent.id };
      case 'processing':
        throw new PaymentProviderUnavailableError(`PaymentIntent ${intent.id} is still processing`);
      default:
        return { status: 'DECLINED', reason: intent.last_payment_error?.message ?? `payment_${intent.status}` };
    }
  }

  async refund({ orderId, paymentId }: PaymentRef): Promise<RefundResult> {
    const stripe = await this.#stripe();
    const intent = await stripe.paymentIntents.retrieve(paymentId).catch(unavailable);
    if (intent.status !== 'succeeded') return { status: 'NOTHING_TO_REFUND' };
    try {
      const refund = await stripe.refunds.create({ payment_intent: paymentId }, { idempotencyKey: `refund-${orderId}` });
      return { status: 'REFUNDED', reference: refund.id };
    } catch (error) {
      if ((error as StripeFailure).code === 'charge_already_refunded') {
        const { data } = await stripe.refunds.list({ payment_intent: paymentId, limit: 1 }).catch(unavailable);
        return { status: 'ALREADY_REFUNDED', reference: data[0]?.id ?? paymentId };
      }
      return unavailable(error);
    }
  }

  async transactions({ paymentId }: PaymentRef): Promise<readonly PaymentTransactionRecord[]> {
    const stripe = await this.#stripe();
    const intent = await stripe.paymentIntents.retrieve(paymentId).catch(unavailable);
    if (intent.status !== 'succeeded') return [];
    const currency = intent.currency.toUpperCase();
    const { data: refunds } = await stripe.refunds.list({ payment_intent: paymentId, limit: 100 }).catch(unavailable);
    return [
      { type: 'CHARGE', amountCents: intent.amount_received, currency, reference: intent.id, at: iso(intent.created) },
      ...refunds
        .filter((refund) => refund.status === 'succeeded' || refund.status === 'pending')
        .sort((a, b) => a.created - b.created)
        .map((refund) => ({ type: 'REFUND' as const, amountCents: refund.amount, currency, reference: refund.id, at: iso(refund.created) })),
    ];
  }
}
