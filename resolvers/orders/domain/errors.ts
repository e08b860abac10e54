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

/** The order exists and is the caller's, but it is past the point where it can be cancelled. */
export class OrderNotCancellableError extends ValidationError {
  constructor(
    readonly status: OrderStatus,
    options?: ErrorOptions,
  ) {
    super(`The order is ${status} and can no longer be cancelled`, options);
    this.name = 'OrderNotCancellable';
  }
}

/** The clientToken was used before for an order with other lines or another payment token. */
export class ClientTokenConflictError extends ValidationError {
  constructor(options?: ErrorOptions) {
    super('clientToken was already used for a different order; use a new clientToken for a new order', options);
    this.name = 'ClientTokenConflict';
  }
}

/** approveOrder / rejectOrder on an order that is not waiting for a decision (decided, or never asked). */
export class OrderNotAwaitingApprovalError extends ValidationError {
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
    this.name = 'OrderNotAwaitingApproval';
  }
}

/** An approver deciding their own order: approvals need a second person. */
export class OwnOrderApprovalError extends ValidationError {
  constructor(options?: ErrorOptions) {
    super('An approver cannot decide their own order', options);
    this.name = 'OwnOrderApproval';
  }
}

/** The approval was recorded but its waiting task had closed (timed out): the order fails. */
export class ApprovalExpiredError extends ValidationError {
  constructor(options?: ErrorOptions) {
    super('The approval came after the order stopped waiting for it; the order fails as timed out', options);
    this.name = 'ApprovalExpired';
  }
}

// ---------------------------------------------------------------------------------------------
// Saga outcomes: the error names of the state machine
// ---------------------------------------------------------------------------------------------

/** The order no longer holds up against the catalog (a product was withdrawn, ...). */
export class InvalidOrderError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidOrder';
  }
}

/** The payment provider declined the charge. Nothing was charged. */
export class PaymentDeclinedError extends Error {
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    this.name = 'PaymentDeclined';
  }
}

export interface Shortage {
  readonly sku: string;
  readonly requested: number;
  readonly available: number;
}

/** Some line could not be reserved. Nothing was reserved (the reservation is all or nothing). */
export class OutOfStockError extends Error {
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
    this.name = 'OutOfStock';
  }
}

/** The customer cancelled the order while this step ran or before it. */
export class OrderCancelledError extends Error {
  constructor(orderId: string, options?: ErrorOptions) {
    super(`Order ${orderId} was cancelled`, options);
    this.name = 'OrderCancelled';
  }
}

/** The order is in a status this step cannot act on (a bug, or a hand-edited record). */
export class OrderStateConflictError extends Error {
  constructor(
    readonly orderId: string,
    readonly status: OrderStatus,
    readonly step: string,
    options?: ErrorOptions,
  ) {
    super(`Order ${orderId} is ${status}; ${step} cannot act on it`, options);
    this.name = 'OrderStateConflict';
  }
}

/** The execution names an order that does not exist. */
export class OrderNotFoundError extends Error {
  constructor(orderId: string, options?: ErrorOptions) {
    super(`Order ${orderId} does not exist`, options);
    this.name = 'OrderNotFound';
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
  constructor(message = 'The payment provider is unavailable', options?: ErrorOptions) {
    super(message, options);
    this.name = 'PaymentProviderUnavailable';
  }
}

/** The provider holds a charge for this order with another amount: never charge twice. */
export class PaymentConflictError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PaymentConflict';
  }
}
