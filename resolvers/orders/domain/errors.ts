/**
 * Named errors of the orders domain.
 *
 * Two families:
 * - API errors reach GraphQL callers. They extend the shared public classes, so the one mapping
 *   in resolvers/shared/errors.ts lets them through with their own `name` as `errorType`.
 * - Saga outcomes are thrown by the state machine's functions. Their `name` is the error name
 *   Step Functions sees, which the definition's Retry and Catch match on (infra/constructs/
 *   orders-workflow.ts imports SAGA_OUTCOME_ERRORS): an outcome is final, never retried, and
 *   leads into the compensation it calls for. Anything else a step throws is transient and
 *   retried.
 */
import { ValidationError } from '../../shared/errors.js';
import type { OrderStatus } from './model.js';

// ---------------------------------------------------------------------------------------------
// API errors
// ---------------------------------------------------------------------------------------------

/** An API error named `name` that always says `message`. */
function refusal(name: string, message: string) {
  return class extends ValidationError {
    override name = name;
    constructor(options?: ErrorOptions) {
      super(message, options);
    }
  };
}

/** The order exists and is the caller's, but it is past the point where it can be cancelled. */
export class OrderNotCancellableError extends ValidationError {
  override name = 'OrderNotCancellable';
  constructor(
    readonly status: OrderStatus,
    options?: ErrorOptions,
  ) {
    super(`The order is ${status} and can no longer be cancelled`, options);
  }
}

/** The clientToken was used before for an order with other lines or another payment token. */
export class ClientTokenConflictError extends refusal('ClientTokenConflict', 'clientToken was already used for a different order; use a new clientToken for a new order') {}

/** approveOrder / rejectOrder on an order that is not waiting for a decision (decided, or never asked). */
export class OrderNotAwaitingApprovalError extends ValidationError {
  override name = 'OrderNotAwaitingApproval';
  constructor(
    readonly status: OrderStatus,
    readonly decided: boolean,
    options?: ErrorOptions,
  ) {
    super(
      decided
        ? `The order was already decided (it is ${status}); an order is approved or rejected once`
        : `The order is ${status} and is not awaiting approval`,
      options,
    );
  }
}

/** An approver deciding their own order: approvals need a second person. */
export class OwnOrderApprovalError extends refusal('OwnOrderApproval', 'An approver cannot decide their own order') {}

/** The approval was recorded but its waiting task had closed (timed out): the order fails. */
export class ApprovalExpiredError extends refusal('ApprovalExpired', 'The approval came after the order stopped waiting for it; the order fails as timed out') {}

// ---------------------------------------------------------------------------------------------
// Saga outcomes: the error names of the state machine
// ---------------------------------------------------------------------------------------------

/** The order no longer holds up against the catalog (a product was withdrawn, ...). */
export class InvalidOrderError extends Error {
  override name = 'InvalidOrder';
}

/** The payment provider declined the charge. Nothing was charged. */
export class PaymentDeclinedError extends Error {
  override name = 'PaymentDeclined';
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
  }
}

export interface Shortage {
  readonly sku: string;
  readonly requested: number;
  readonly available: number;
}

/** Some line could not be reserved. Nothing was reserved (the reservation is all or nothing). */
export class OutOfStockError extends Error {
  override name = 'OutOfStock';
  constructor(
    readonly shortages: readonly Shortage[],
    options?: ErrorOptions,
  ) {
    super(
      shortages.length === 0
        ? 'Out of stock'
        : `Out of stock: ${shortages.map((s) => `${s.sku} (${s.requested} requested, ${s.available} available)`).join(', ')}`,
      options,
    );
  }
}

/** The customer cancelled the order while this step ran or before it. */
export class OrderCancelledError extends Error {
  override name = 'OrderCancelled';
  constructor(orderId: string, options?: ErrorOptions) {
    super(`Order ${orderId} was cancelled`, options);
  }
}

/** The order is in a status this step cannot act on (a bug, or a hand-edited record). */
export class OrderStateConflictError extends Error {
  override name = 'OrderStateConflict';
  constructor(
    readonly orderId: string,
    readonly status: OrderStatus,
    readonly step: string,
    options?: ErrorOptions,
  ) {
    super(`Order ${orderId} is ${status}; ${step} cannot act on it`, options);
  }
}

/** The execution names an order that does not exist. */
export class OrderNotFoundError extends Error {
  override name = 'OrderNotFound';
  constructor(orderId: string, options?: ErrorOptions) {
    super(`Order ${orderId} does not exist`, options);
  }
}

/** An approver rejected the order (SendTaskFailure from rejectOrder). Nothing was charged. */
export const APPROVAL_REJECTED = 'ApprovalRejected';

/** The names Step Functions matches on; each is final (never retried). */
export const SAGA_OUTCOME_ERRORS = [
  APPROVAL_REJECTED,
  'InvalidOrder',
  'PaymentDeclined',
  'OutOfStock',
  'OrderCancelled',
  'OrderStateConflict',
  'OrderNotFound',
] as const;
export type SagaOutcomeError = (typeof SAGA_OUTCOME_ERRORS)[number];

export const isSagaOutcome = (name: string): name is SagaOutcomeError =>
  (SAGA_OUTCOME_ERRORS as readonly string[]).includes(name);

/** Failure codes stored on a FAILED order, by outcome. */
export const FAILURE_CODES: Readonly<Record<Exclude<SagaOutcomeError, 'OrderCancelled'>, string>> = {
  ApprovalRejected: 'APPROVAL_REJECTED',
  InvalidOrder: 'INVALID_ORDER',
  PaymentDeclined: 'PAYMENT_DECLINED',
  OutOfStock: 'OUT_OF_STOCK',
  OrderStateConflict: 'STATE_CONFLICT',
  OrderNotFound: 'ORDER_NOT_FOUND',
};

/** What a waiting approval's timeouts fail it with (the task's TimeoutSeconds, HeartbeatSeconds). */
export const APPROVAL_TIMEOUT_ERRORS = ['States.Timeout', 'States.HeartbeatTimeout'] as const;
export const APPROVAL_TIMED_OUT = 'APPROVAL_TIMED_OUT';

// ---------------------------------------------------------------------------------------------
// Payment provider
// ---------------------------------------------------------------------------------------------

/** The provider could not be reached or answered with a server error: try again later. */
export class PaymentProviderUnavailableError extends Error {
  override name = 'PaymentProviderUnavailable';
  constructor(message = 'The payment provider is unavailable', options?: ErrorOptions) {
    super(message, options);
  }
}

/** The provider holds a charge for this order with another amount: never charge twice. */
export class PaymentConflictError extends Error {
  override name = 'PaymentConflict';
}
