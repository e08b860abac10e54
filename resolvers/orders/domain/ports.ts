/**
 * The ports the orders domain depends on. One implementation each lives in
 * resolvers/orders/adapters (the only code here that imports @aws-sdk); tests use fakes.
 */
import type { PublishOrderEventInput } from '../../generated/graphql.js';
import type { Shortage } from './errors.js';
import type {
  ApprovalDecision,
  OrderFailureRecord,
  OrderListKey,
  OrderRecord,
  OrderStatus,
  PaymentRecord,
  PaymentTransactionRecord,
  ProductRecord,
} from './model.js';

export interface Page<T, K> {
  readonly items: readonly T[];
  /** Key of the last item when more items follow; null on the last page. */
  readonly lastKey: K | null;
}

export interface ProductCatalog {
  /** The products of these skus that exist (unknown skus are simply absent). */
  getMany(skus: readonly string[]): Promise<ReadonlyMap<string, ProductRecord>>;
  /** The catalog by sku, ascending. */
  list(options: { limit: number; startAfter: string | null }): Promise<Page<ProductRecord, string>>;
}

/** What a transition writes besides the status. */
export interface TransitionChanges {
  readonly payment?: PaymentRecord;
  readonly failure?: OrderFailureRecord | null;
}

export interface OrderRepository {
  /** Stores a new order. False when an order with this id exists (nothing written). */
  create(order: OrderRecord): Promise<boolean>;
  get(id: string): Promise<OrderRecord | null>;
  /** The owner's orders, newest first. */
  listByOwner(owner: string, options: { limit: number; startAfter: OrderListKey | null }): Promise<Page<OrderRecord, OrderListKey>>;
  /**
   * Moves the order to `to` when its status is one of `from`, with `changes`. False when the
   * order is missing or in another status: nothing was written.
   */
  transition(
    id: string,
    from: readonly OrderStatus[],
    to: OrderStatus,
    at: string,
    changes?: TransitionChanges,
  ): Promise<boolean>;
  /** Records the payment's state without a status change (a decline, a refund). */
  recordPayment(id: string, payment: PaymentRecord, at: string): Promise<void>;
  /** Sets `notifiedAt` once. False when it was already set. */
  markNotified(id: string, at: string): Promise<boolean>;
  /**
   * VALIDATED (or AWAITING_APPROVAL, undecided: a retried request) -> AWAITING_APPROVAL with this
   * task token; the order joins the approvers' queue. False when the order is elsewhere.
   */
  awaitApproval(id: string, taskToken: string, at: string): Promise<boolean>;
  /**
   * Records the one decision on an AWAITING_APPROVAL order (APPROVED also moves it to APPROVED)
   * and takes it off the queue. False when it is not waiting or was decided already.
   */
  decideApproval(id: string, decision: ApprovalDecisionInput, at: string): Promise<boolean>;
  /** Orders waiting for a decision, oldest first. */
  listAwaitingApproval(options: { limit: number; startAfter: OrderListKey | null }): Promise<Page<OrderRecord, OrderListKey>>;
}

export interface ApprovalDecisionInput {
  readonly decision: ApprovalDecision;
  readonly decidedBy: string;
  readonly note: string | null;
}

export type SaleOutcome = 'RECORDED' | 'ALREADY_RECORDED';

/** The products' sales counters. */
export interface SalesLedger {
  /** In one transaction: each line's quantity added to its product's `sold`, and the order marked. Once per order. */
  recordSale(order: OrderRecord, at: string): Promise<SaleOutcome>;
}

export type ReserveOutcome =
  | { readonly kind: 'RESERVED' }
  | { readonly kind: 'OUT_OF_STOCK'; readonly shortages: readonly Shortage[] }
  /** The order was no longer PAID (cancelled, or already reserved by an earlier attempt). */
  | { readonly kind: 'ORDER_CHANGED' };

export type ReleaseOutcome = 'RELEASED' | 'ALREADY_RELEASED' | 'NOT_RESERVED';

/** Stock held in the catalog, claimed and given back together with the order's own record. */
export interface Inventory {
  /**
   * In one transaction: the order PAID -> RESERVED and every line's stock lowered by its
   * quantity, each only where enough is left. All or nothing.
   */
  reserve(order: OrderRecord, at: string): Promise<ReserveOutcome>;
  /** In one transaction: every reserved line back into stock and the reservation marked released. Once. */
  release(order: OrderRecord, at: string): Promise<ReleaseOutcome>;
}

/** What the client gave to pay with, exchanged at once for the provider's payment id. */
export interface PaymentPreparation {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  /** The client's token (a payment method): passed to the provider, never stored. */
  readonly paymentToken: string;
}

/** An order's payment at the provider: what the order keeps instead of the client's token. */
export interface PaymentRef {
  readonly orderId: string;
  readonly paymentId: string;
}

export interface ChargeRequest extends PaymentRef {
  /** The order id is the idempotency key: one order is charged at most once. */
  readonly amountCents: number;
  readonly currency: string;
}

export type ChargeResult =
  | { readonly status: 'APPROVED'; readonly reference: string }
  | { readonly status: 'DECLINED'; readonly reason: string };

export type RefundResult =
  | { readonly status: 'REFUNDED'; readonly reference: string }
  | { readonly status: 'ALREADY_REFUNDED'; readonly reference: string }
  | { readonly status: 'NOTHING_TO_REFUND' };

/**
 * A payment provider, idempotent by order id: charging an order twice charges it once, and
 * refunding it twice refunds it once. Throws PaymentProviderUnavailableError when a retry may
 * help. The local payment simulator is one; a real provider plugs in behind the same interface.
 */
export interface PaymentProvider {
  /**
   * Sets up the order's payment with the client's token and returns the provider's payment id
   * (placeOrder stores that, never the token). Idempotent by order id; charges nothing.
   */
  prepare(request: PaymentPreparation): Promise<{ readonly paymentId: string }>;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Refunds the order's charge in full, if there is one and it was not refunded yet. */
  refund(payment: PaymentRef): Promise<RefundResult>;
  /** The provider's record of the order: its charges and refunds, oldest first. */
  transactions(payment: PaymentRef): Promise<readonly PaymentTransactionRecord[]>;
}

/** Announces a step of an order to its owner's subscriptions. */
export interface OrderEventPublisher {
  publish(event: PublishOrderEventInput): Promise<void>;
}

/** What answers a waiting task: its result, or the error its Catch sees. */
export type WorkflowTaskAnswer =
  | { readonly kind: 'success'; readonly output: Readonly<Record<string, unknown>> }
  | { readonly kind: 'failure'; readonly error: string; readonly cause: string };

/** Starts the order's fulfilment (the state machine). Idempotent: one execution per order. */
export interface OrderWorkflow {
  /** The total decides whether the order waits for an approval. */
  start(orderId: string, totalCents: number): Promise<void>;
  /** Answers a waiting task. CLOSED: it was answered before, or stopped waiting. */
  answer(taskToken: string, answer: WorkflowTaskAnswer): Promise<'ANSWERED' | 'CLOSED'>;
  /** Tells a waiting task it is still looked after (its heartbeat). CLOSED: it no longer waits. */
  heartbeat(taskToken: string): Promise<'ALIVE' | 'CLOSED'>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Where domain code logs. The Powertools logger fits. */
export interface Log {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}
