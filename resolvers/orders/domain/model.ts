/**
 * The stored records behind the orders API and the saga: products, orders, and the payment
 * provider's ledger entries. GraphQL enums are reused as they are (generated from the schema).
 */
import type { ApprovalDecision, OrderStatus, OrderStep, PaymentStatus, PaymentTransactionType } from '../../generated/graphql.js';

export type { ApprovalDecision, OrderStatus, OrderStep, PaymentStatus, PaymentTransactionType };

export const ORDER_STATUSES = [
  'PENDING',
  'VALIDATED',
  'AWAITING_APPROVAL',
  'APPROVED',
  'PAID',
  'RESERVED',
  'CONFIRMED',
  'FAILED',
  'CANCELLED',
  'NEEDS_ATTENTION',
] as const satisfies readonly OrderStatus[];

export const PAYMENT_STATUSES = ['NONE', 'CHARGED', 'DECLINED', 'REFUNDED'] as const satisfies readonly PaymentStatus[];

/**
 * The happy path, in order. A step moves an order one place along it; an order under the
 * approval threshold skips AWAITING_APPROVAL and APPROVED.
 */
export const FORWARD_STATUSES = ['PENDING', 'VALIDATED', 'AWAITING_APPROVAL', 'APPROVED', 'PAID', 'RESERVED', 'CONFIRMED'] as const satisfies readonly OrderStatus[];
export type ForwardStatus = (typeof FORWARD_STATUSES)[number];

/** Statuses from which nothing moves on by itself. */
export const FINAL_STATUSES = ['CONFIRMED', 'FAILED', 'CANCELLED', 'NEEDS_ATTENTION'] as const satisfies readonly OrderStatus[];

/** A customer may cancel until the order is confirmed. */
export const CANCELLABLE_STATUSES = ['PENDING', 'VALIDATED', 'AWAITING_APPROVAL', 'APPROVED', 'PAID', 'RESERVED'] as const satisfies readonly OrderStatus[];

export const isForward = (status: OrderStatus): status is ForwardStatus =>
  (FORWARD_STATUSES as readonly OrderStatus[]).includes(status);

export const isFinal = (status: OrderStatus): boolean => (FINAL_STATUSES as readonly OrderStatus[]).includes(status);

export const isCancellable = (status: OrderStatus): boolean =>
  (CANCELLABLE_STATUSES as readonly OrderStatus[]).includes(status);

/** Position on the happy path, or -1 off it. */
export const forwardRank = (status: OrderStatus): number => (FORWARD_STATUSES as readonly OrderStatus[]).indexOf(status);

/** The step that moves an order out of a forward status: where an order that stopped there failed. */
export const STEP_AFTER: Readonly<Record<Exclude<ForwardStatus, 'CONFIRMED'>, OrderStep>> = {
  PENDING: 'VALIDATE',
  VALIDATED: 'PAYMENT',
  AWAITING_APPROVAL: 'APPROVAL',
  APPROVED: 'PAYMENT',
  PAID: 'INVENTORY',
  RESERVED: 'CONFIRM',
};

export interface ProductRecord {
  readonly sku: string;
  readonly name: string;
  readonly description: string | null;
  readonly priceCents: number;
  readonly currency: string;
  readonly stock: number;
}

export interface OrderLineRecord {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  /** The price when the order was placed: what the customer agreed to pay. */
  readonly unitPriceCents: number;
}

export interface PaymentRecord {
  readonly status: PaymentStatus;
  /** The provider's reference of the charge (CHARGED) or of the refund (REFUNDED). */
  readonly reference: string | null;
  readonly declineReason: string | null;
}

export interface ReservationRecord {
  readonly reservedAt: string;
  /** Set once, when the reserved units went back into stock. */
  readonly releasedAt: string | null;
}

export interface OrderFailureRecord {
  readonly code: string;
  readonly message: string;
  readonly step: OrderStep | null;
}

/** An order over the approval threshold: the request, then the one decision on it. */
export interface ApprovalRecord {
  /** The waiting task's token (Step Functions): never shown to anyone. */
  readonly taskToken: string;
  readonly requestedAt: string;
  readonly decision: ApprovalDecision | null;
  readonly decidedBy: string | null;
  /** The approver's comment, or the rejection's reason. */
  readonly note: string | null;
  readonly decidedAt: string | null;
}

export interface OrderRecord {
  readonly id: string;
  readonly owner: string;
  readonly clientToken: string;
  /** Hash of what was asked (lines and payment token): a reused clientToken must ask the same. */
  readonly fingerprint: string;
  readonly status: OrderStatus;
  readonly items: readonly OrderLineRecord[];
  readonly totalCents: number;
  readonly currency: string;
  /** The payment provider's id of this order's payment (the client's token is never stored). */
  readonly paymentId: string;
  readonly payment: PaymentRecord;
  readonly reservation: ReservationRecord | null;
  readonly failure: OrderFailureRecord | null;
  readonly notifiedAt: string | null;
  readonly approval: ApprovalRecord | null;
  /** When the sale went into the products' sales counters (once). */
  readonly saleRecordedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The key of the last order of a page of `orders()`. */
export interface OrderListKey {
  readonly id: string;
  readonly owner: string;
  readonly createdAt: string;
}

/** One entry of the payment provider's record of an order. */
export interface PaymentTransactionRecord {
  readonly type: PaymentTransactionType;
  readonly amountCents: number;
  readonly currency: string;
  readonly reference: string;
  readonly at: string;
}

export const lineTotal = (line: Pick<OrderLineRecord, 'quantity' | 'unitPriceCents'>): number =>
  line.quantity * line.unitPriceCents;

export const orderTotal = (lines: readonly Pick<OrderLineRecord, 'quantity' | 'unitPriceCents'>[]): number =>
  lines.reduce((sum, line) => sum + lineTotal(line), 0);

/** `1250, 'USD'` -> `12.50 USD`, for messages. */
export const formatAmount = (cents: number, currency: string): string =>
  `${(cents / 100).toFixed(2)} ${currency}`;
