/**
 * The payment provider shipped with the project: a simulator that behaves like a card
 * processor's test mode. The payment token picks the behaviour (docs/orders.md lists them);
 * the ledger (a DynamoDB table on AWS and locally) keeps what was charged and refunded, keyed
 * by order id, which is what makes charge and refund idempotent.
 */
import { createHash } from 'node:crypto';
import { PaymentConflictError, PaymentProviderUnavailableError } from './errors.js';
import type { PaymentTransactionRecord } from './model.js';
import type { ChargeRequest, ChargeResult, PaymentPreparation, PaymentProvider, PaymentRef, RefundResult } from './ports.js';

/** The simulator's test tokens and what each does. Any other token is declined as invalid. */
export const TEST_TOKENS = {
  /** Approved at once. */
  tok_approve: 'approve',
  /** Declined: insufficient funds. */
  tok_decline: 'decline',
  /** The first charge attempt fails as if the provider were down; the retry is approved. */
  tok_fail_once: 'fail-once-then-approve',
  /** Every charge attempt fails as if the provider were down. */
  tok_always_fail: 'always-fail',
  /** Approved after a delay (PAYMENT_SIMULATOR_SLOW_MS, default 3 s). */
  tok_slow: 'slow',
  /** Approved; the first refund attempt fails as if the provider were down, the retry refunds. */
  tok_refund_fail_once: 'refund-fails-once',
  /** Approved; every refund attempt fails. */
  tok_refund_always_fail: 'refund-always-fails',
} as const;
export type TestToken = keyof typeof TEST_TOKENS;

export const DECLINE_REASON = 'card_declined: insufficient funds';
export const INVALID_TOKEN_REASON = 'invalid_payment_token: the payment token is not recognised';
export const DEFAULT_SLOW_MS = 3000;

const isTestToken = (token: string): token is TestToken => Object.hasOwn(TEST_TOKENS, token);

/** The payment set up when the order was placed: the provider (here, its ledger) keeps the token. */
export interface IntentEntry {
  readonly orderId: string;
  readonly paymentId: string;
  readonly paymentToken: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly at: string;
}

export interface ChargeEntry {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly paymentToken: string;
  readonly reference: string;
  readonly at: string;
}

export interface RefundEntry {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly reference: string;
  readonly at: string;
}

export interface DeclineEntry {
  readonly orderId: string;
  readonly reason: string;
  readonly at: string;
}

export interface LedgerEntries {
  readonly intent: IntentEntry | null;
  readonly charge: ChargeEntry | null;
  readonly refund: RefundEntry | null;
  readonly decline: DeclineEntry | null;
}

/** What a conditional write left in the ledger: ours (`created`), or the one already there. */
export interface Recorded<T> {
  readonly entry: T;
  readonly created: boolean;
}

/** The simulator's storage. Each record* writes only when the order has no such entry yet. */
export interface SimulatorLedger {
  entries(orderId: string): Promise<LedgerEntries>;
  /** Counts one more attempt of `kind` for the order and returns the count (1 on the first). */
  countAttempt(orderId: string, kind: 'charge' | 'refund'): Promise<number>;
  recordIntent(entry: IntentEntry): Promise<Recorded<IntentEntry>>;
  recordCharge(entry: ChargeEntry): Promise<Recorded<ChargeEntry>>;
  recordDecline(entry: DeclineEntry): Promise<Recorded<DeclineEntry>>;
  recordRefund(entry: RefundEntry): Promise<Recorded<RefundEntry>>;
}

export interface PaymentSimulatorOptions {
  readonly ledger: SimulatorLedger;
  /** How long `tok_slow` takes. @default DEFAULT_SLOW_MS */
  readonly slowMs?: number;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

const reference = (prefix: string, orderId: string) =>
  `${prefix}_${createHash('sha256').update(orderId).digest('hex').slice(0, 20)}`;

/** The simulator's payment id of an order (as a PaymentIntent's `pi_...`). */
export const simulatorPaymentId = (orderId: string): string => reference('pi_sim', orderId);

export class PaymentSimulator implements PaymentProvider {
  readonly #ledger: SimulatorLedger;
  readonly #slowMs: number;
  readonly #now: () => Date;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: PaymentSimulatorOptions) {
    this.#ledger = options.ledger;
    this.#slowMs = options.slowMs ?? DEFAULT_SLOW_MS;
    this.#now = options.now ?? (() => new Date());
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async prepare(request: PaymentPreparation): Promise<{ readonly paymentId: string }> {
    const recorded = await this.#ledger.recordIntent({
      orderId: request.orderId,
      paymentId: simulatorPaymentId(request.orderId),
      paymentToken: request.paymentToken,
      amountCents: request.amountCents,
      currency: request.currency,
      at: this.#now().toISOString(),
    });
    return { paymentId: recorded.entry.paymentId };
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const existing = await this.#ledger.entries(request.orderId);
    if (existing.charge !== null) return this.#sameCharge(existing.charge, request);
    if (existing.decline !== null) return { status: 'DECLINED', reason: existing.decline.reason };
    if (existing.intent === null || existing.intent.paymentId !== request.paymentId) {
      return this.#decline(request.orderId, INVALID_TOKEN_REASON);
    }

    const attempt = await this.#ledger.countAttempt(request.orderId, 'charge');
    const token = existing.intent.paymentToken;
    if (!isTestToken(token)) return this.#decline(request.orderId, INVALID_TOKEN_REASON);
    switch (TEST_TOKENS[token]) {
      case 'decline':
        return this.#decline(request.orderId, DECLINE_REASON);
      case 'fail-once-then-approve':
        if (attempt === 1) throw new PaymentProviderUnavailableError('The payment provider is unavailable (simulated, first attempt)');
        break;
      case 'always-fail':
        throw new PaymentProviderUnavailableError('The payment provider is unavailable (simulated, every attempt)');
      case 'slow':
        await this.#sleep(this.#slowMs);
        break;
      default:
        break;
    }
    const recorded = await this.#ledger.recordCharge({
      orderId: request.orderId,
      amountCents: request.amountCents,
      currency: request.currency,
      paymentToken: token,
      reference: reference('ch', request.orderId),
      at: this.#now().toISOString(),
    });
    // A concurrent attempt may have recorded first: what counts is what the ledger holds.
    return this.#sameCharge(recorded.entry, request);
  }

  async refund({ orderId }: PaymentRef): Promise<RefundResult> {
    const existing = await this.#ledger.entries(orderId);
    if (existing.charge === null) return { status: 'NOTHING_TO_REFUND' };
    if (existing.refund !== null) return { status: 'ALREADY_REFUNDED', reference: existing.refund.reference };

    const attempt = await this.#ledger.countAttempt(orderId, 'refund');
    const token = existing.charge.paymentToken;
    if (isTestToken(token)) {
      if (TEST_TOKENS[token] === 'refund-fails-once' && attempt === 1) {
        throw new PaymentProviderUnavailableError('The payment provider is unavailable (simulated, first refund attempt)');
      }
      if (TEST_TOKENS[token] === 'refund-always-fails') {
        throw new PaymentProviderUnavailableError('The payment provider is unavailable (simulated, every refund attempt)');
      }
    }
    const recorded = await this.#ledger.recordRefund({
      orderId,
      amountCents: existing.charge.amountCents,
      currency: existing.charge.currency,
      reference: reference('re', orderId),
      at: this.#now().toISOString(),
    });
    return { status: recorded.created ? 'REFUNDED' : 'ALREADY_REFUNDED', reference: recorded.entry.reference };
  }

  async transactions({ orderId }: PaymentRef): Promise<readonly PaymentTransactionRecord[]> {
    const { charge, refund } = await this.#ledger.entries(orderId);
    const list: PaymentTransactionRecord[] = [];
    if (charge !== null) {
      list.push({ type: 'CHARGE', amountCents: charge.amountCents, currency: charge.currency, reference: charge.reference, at: charge.at });
    }
    if (refund !== null) {
      list.push({ type: 'REFUND', amountCents: refund.amountCents, currency: refund.currency, reference: refund.reference, at: refund.at });
    }
    return list;
  }

  async #decline(orderId: string, reason: string): Promise<ChargeResult> {
    const recorded = await this.#ledger.recordDecline({ orderId, reason, at: this.#now().toISOString() });
    return { status: 'DECLINED', reason: recorded.entry.reason };
  }

  #sameCharge(charge: ChargeEntry, request: ChargeRequest): ChargeResult {
    if (charge.amountCents !== request.amountCents || charge.currency !== request.currency) {
      throw new PaymentConflictError(
        `Order ${request.orderId} was charged ${charge.amountCents} ${charge.currency} before; refusing to charge ${request.amountCents} ${request.currency}`,
      );
    }
    return { status: 'APPROVED', reference: charge.reference };
  }
}
