/**
 * The saga's steps, one method per state of the state machine (infra/constructs/orders-workflow.ts):
 *
 *   ValidateOrder -> ProcessPayment -> ReserveInventory -> ConfirmOrder -> NotifyCustomer
 *   compensation:    ReleaseInventory -> RefundPayment -> MarkFailed -> NotifyCustomer
 *   a compensation that fails for good: MarkNeedsAttention -> (execution fails: alarm)
 *
 * Every step may run more than once (Step Functions retries it; Lambda may run it again), so
 * each is idempotent: a forward step whose transition is already done only announces it
 * again; a compensation undoes at most once. A step that finds the order CANCELLED throws
 * OrderCancelled, and the state machine's Catch undoes what was done.
 *
 * Events are published after the write they announce: a failed publish fails the step, which
 * is retried and announces again (at least once).
 */
import type { PublishOrderEventInput } from '../../generated/graphql.js';
import {
  APPROVAL_TIMED_OUT,
  APPROVAL_TIMEOUT_ERRORS,
  FAILURE_CODES,
  InvalidOrderError,
  OrderCancelledError,
  OrderNotFoundError,
  OrderStateConflictError,
  OutOfStockError,
  PaymentDeclinedError,
  isSagaOutcome,
} from './errors.js';
import {
  STEP_AFTER,
  type ForwardStatus,
  type OrderFailureRecord,
  type OrderRecord,
  type OrderStatus,
  type OrderStep,
  formatAmount,
  forwardRank,
  isForward,
  orderTotal,
} from './model.js';
import type {
  Clock,
  Inventory,
  Log,
  OrderEventPublisher,
  OrderRepository,
  PaymentProvider,
  ProductCatalog,
  TransitionChanges,
} from './ports.js';

/** The error a Catch put into the state's input: Step Functions' `{Error, Cause}`. */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string | null;
}

/** What every state passes to its function: the execution input, plus what a Catch added. */
export interface StepInput {
  readonly orderId: string;
  /** The forward step's failure that started the compensation. */
  readonly error?: CaughtError;
  /** The compensation's failure that calls for an operator. */
  readonly compensationError?: CaughtError;
}

/** What a step returns: small, for the execution history. */
export interface StepResult {
  readonly orderId: string;
  readonly status: OrderStatus | null;
  readonly outcome: string;
}

export interface OrderSagaDeps {
  readonly orders: OrderRepository;
  readonly catalog: ProductCatalog;
  readonly inventory: Inventory;
  readonly payments: PaymentProvider;
  readonly publisher: OrderEventPublisher;
  readonly clock: Clock;
  readonly log: Log;
}

export class OrderSaga {
  readonly #d: OrderSagaDeps;

  constructor(deps: OrderSagaDeps) {
    this.#d = deps;
  }

  // -------------------------------------------------------------------------------------------
  // Forward steps
  // -------------------------------------------------------------------------------------------

  /** PENDING -> VALIDATED, when every line still names a product in the order's currency. */
  async validateOrder({ orderId }: StepInput): Promise<StepResult> {
    const order = await this.#load(orderId);
    const replay = await this.#replayed(order, 'VALIDATED', 'VALIDATE');
    if (replay) return replay;
    this.#expect(order, 'PENDING', 'ValidateOrder');

    const products = await this.#d.catalog.getMany(order.items.map((line) => line.sku));
    const problems: string[] = [];
    for (const line of order.items) {
      const product = products.get(line.sku);
      if (product === undefined) problems.push(`${line.sku} is no longer sold`);
      else if (product.currency !== order.currency) problems.push(`${line.sku} is now priced in ${product.currency}`);
    }
    if (order.items.length === 0) problems.push('the order has no lines');
    if (orderTotal(order.items) !== order.totalCents) problems.push('the total does not match the lines');
    if (problems.length > 0) throw new InvalidOrderError(`The order cannot be fulfilled: ${problems.join('; ')}`);

    return this.#advance(order, 'PENDING', 'VALIDATED', 'VALIDATE', () => ({}), {
      message: `Validated: ${order.items.length} line(s), ${formatAmount(order.totalCents, order.currency)}`,
    });
  }

  /** VALIDATED (or APPROVED) -> PAID: one charge of the order's total, keyed by the order id. */
  async processPayment({ orderId }: StepInput): Promise<StepResult> {
    const order = await this.#load(orderId);
    const replay = await this.#replayed(order, 'PAID', 'PAYMENT');
    if (replay) return replay;
    if (order.status !== 'APPROVED') this.#expect(order, 'VALIDATED', 'ProcessPayment');

    const result = await this.#d.payments.charge({
      orderId,
      amountCents: order.totalCents,
      currency: order.currency,
      paymentId: order.paymentId,
    });
    const at = this.#now();
    if (result.status === 'DECLINED') {
      await this.#d.orders.recordPayment(orderId, { status: 'DECLINED', reference: null, declineReason: result.reason }, at);
      throw new PaymentDeclinedError(result.reason);
    }
    // A cancellation that arrived during the charge makes this transition fail: the Catch then
    // refunds the charge just made.
    return this.#advance(
      order,
      order.status,
      'PAID',
      'PAYMENT',
      () => ({ payment: { status: 'CHARGED', reference: result.reference, declineReason: null } }),
      { message: `Charged ${formatAmount(order.totalCents, order.currency)} (${result.reference})` },
    );
  }

  /** PAID -> RESERVED: every line's stock claimed in one transaction, or none. */
  async reserveInventory({ orderId }: StepInput): Promise<StepResult> {
    const order = await this.#load(orderId);
    const replay = await this.#replayed(order, 'RESERVED', 'INVENTORY');
    if (replay) return replay;
    this.#expect(order, 'PAID', 'ReserveInventory');

    const outcome = await this.#d.inventory.reserve(order, this.#now());
    switch (outcome.kind) {
      case 'RESERVED':
        await this.#publish(order, 'RESERVED', 'INVENTORY', `Reserved ${order.items.map((l) => `${l.quantity} x ${l.sku}`).join(', ')}`);
        return { orderId, status: 'RESERVED', outcome: 'RESERVED' };
      case 'OUT_OF_STOCK':
        throw new OutOfStockError(outcome.shortages);
      case 'ORDER_CHANGED': {
        const now = await this.#load(orderId);
        const again = await this.#replayed(now, 'RESERVED', 'INVENTORY');
        if (again) return again;
        throw this.#conflict(now, 'ReserveInventory');
      }
    }
  }

  /** RESERVED -> CONFIRMED. */
  async confirmOrder({ orderId }: StepInput): Promise<StepResult> {
    const order = await this.#load(orderId);
    const replay = await this.#replayed(order, 'CONFIRMED', 'CONFIRM');
    if (replay) return replay;
    this.#expect(order, 'RESERVED', 'ConfirmOrder');
    return this.#advance(order, 'RESERVED', 'CONFIRMED', 'CONFIRM', () => ({}), {
      message: `Confirmed: ${formatAmount(order.totalCents, order.currency)}`,
    });
  }

  /**
   * Tells the customer how the order ended, once: the message is published, then `notifiedAt`
   * is set; a run that finds it set does nothing. (A crash between the two repeats the message:
   * at least once, never zero times.)
   */
  async notifyCustomer({ orderId }: StepInput): Promise<StepResult> {
    const order = await this.#load(orderId);
    if (order.notifiedAt !== null) return { orderId, status: order.status, outcome: 'ALREADY_NOTIFIED' };
    if (!['CONFIRMED', 'FAILED', 'CANCELLED'].includes(order.status)) throw this.#conflict(order, 'NotifyCustomer');
    await this.#publish(order, order.status, 'NOTIFY', customerMessage(order));
    await this.#d.orders.markNotified(orderId, this.#now());
    return { orderId, status: order.status, outcome: 'NOTIFIED' };
  }

  // -------------------------------------------------------------------------------------------
  // Compensations
  // -------------------------------------------------------------------------------------------

  /** Puts reserved stock back, once. Nothing to do when nothing was reserved. */
  async releaseInventory({ orderId }: StepInput): Promise<StepResult> {
    const order = await this.#find(orderId);
    if (order === null) return { orderId, status: null, outcome: 'NO_ORDER' };
    const outcome = await this.#d.inventory.release(order, this.#now());
    if (outcome !== 'NOT_RESERVED') {
      await this.#publish(order, order.status, 'RELEASE_INVENTORY', 'Reserved stock released');
    }
    return { orderId, status: order.status, outcome };
  }

  /** Refunds the charge, once. The provider's record decides whether there is one. */
  async refundPayment({ orderId }: StepInput): Promise<StepResult> {
    const order = await this.#find(orderId);
    if (order === null) return { orderId, status: null, outcome: 'NO_ORDER' };
    const result = await this.#d.payments.refund({ orderId, paymentId: order.paymentId });
    if (result.status === 'NOTHING_TO_REFUND') return { orderId, status: order.status, outcome: result.status };
    await this.#d.orders.recordPayment(orderId, { status: 'REFUNDED', reference: result.reference, declineReason: null }, this.#now());
    await this.#publish(order, order.status, 'REFUND_PAYMENT', `Refunded ${formatAmount(order.totalCents, order.currency)} (${result.reference})`);
    return { orderId, status: order.status, outcome: result.status };
  }

  /** Ends a failed order as FAILED with the reason; a cancelled order stays CANCELLED. */
  async markFailed({ orderId, error }: StepInput): Promise<StepResult> {
    const order = await this.#find(orderId);
    if (order === null) return { orderId, status: null, outcome: 'NO_ORDER' };
    if (order.status === 'CANCELLED' || order.status === 'NEEDS_ATTENTION') {
      return { orderId, status: order.status, outcome: 'UNCHANGED' };
    }
    if (order.status === 'FAILED') {
      await this.#publish(order, 'FAILED', 'MARK_FAILED', order.failure?.message ?? 'Failed');
      return { orderId, status: 'FAILED', outcome: 'FAILED' };
    }
    if (!isForward(order.status) || order.status === 'CONFIRMED') throw this.#conflict(order, 'MarkFailed');
    const failure = describeFailure(error, order.status);
    return this.#advance(order, order.status, 'FAILED', 'MARK_FAILED', () => ({ failure }), { message: failure.message });
  }

  /**
   * A compensation failed after its retries: the order needs a person. The execution then
   * fails, which raises the failed-executions alarm.
   */
  async markNeedsAttention({ orderId, error, compensationError }: StepInput): Promise<StepResult> {
    const order = await this.#find(orderId);
    if (order === null) return { orderId, status: null, outcome: 'NO_ORDER' };
    const step: OrderStep =
      order.reservation !== null && order.reservation.releasedAt === null
        ? 'RELEASE_INVENTORY'
        : order.payment.status === 'CHARGED'
          ? 'REFUND_PAYMENT'
          : 'MARK_FAILED';
    const undo = compensationError === undefined ? 'a compensation failed' : causeMessage(compensationError);
    const original = error === undefined ? '' : ` The order had failed because: ${causeMessage(error)}`;
    const failure: OrderFailureRecord = {
      code: 'COMPENSATION_FAILED',
      message: `Could not undo ${step === 'MARK_FAILED' ? 'the order' : step.toLowerCase().replace('_', ' ')}: ${undo}.${original}`,
      step,
    };
    if (order.status !== 'NEEDS_ATTENTION') {
      if (!(await this.#d.orders.transition(orderId, [order.status], 'NEEDS_ATTENTION', this.#now(), { failure }))) {
        const now = await this.#load(orderId);
        if (now.status !== 'NEEDS_ATTENTION') throw this.#conflict(now, 'MarkNeedsAttention');
      }
    }
    this.#d.log.error('Order needs attention: a compensation failed after its retries', { orderId, failure });
    await this.#publish(order, 'NEEDS_ATTENTION', 'ESCALATE', failure.message);
    return { orderId, status: 'NEEDS_ATTENTION', outcome: 'ESCALATED' };
  }

  // -------------------------------------------------------------------------------------------

  async #load(orderId: string): Promise<OrderRecord> {
    const order = await this.#find(orderId);
    if (order === null) throw new OrderNotFoundError(orderId);
    return order;
  }

  #find(orderId: string): Promise<OrderRecord | null> {
    return this.#d.orders.get(orderId);
  }

  /**
   * When the order already reached `target` (this step ran before and its result was lost),
   * announce it again and report it done; when it is further along, report done quietly.
   */
  async #replayed(order: OrderRecord, target: ForwardStatus, step: OrderStep): Promise<StepResult | null> {
    const rank = forwardRank(order.status);
    if (rank < 0 || rank < forwardRank(target)) return null;
    if (order.status === target) await this.#publish(order, target, step, `${target}, announced again after a retry`);
    return { orderId: order.id, status: order.status, outcome: 'ALREADY_DONE' };
  }

  #expect(order: OrderRecord, status: OrderStatus, step: string): void {
    if (order.status === status) return;
    throw this.#conflict(order, step);
  }

  #conflict(order: OrderRecord, step: string): Error {
    return order.status === 'CANCELLED'
      ? new OrderCancelledError(order.id)
      : new OrderStateConflictError(order.id, order.status, step);
  }

  async #advance(
    order: OrderRecord,
    from: OrderStatus,
    to: OrderStatus,
    step: OrderStep,
    changes: () => TransitionChanges,
    event: { message: string },
  ): Promise<StepResult> {
    if (!(await this.#d.orders.transition(order.id, [from], to, this.#now(), changes()))) {
      // Someone else moved it: a cancellation, or an earlier run of this very step.
      const now = await this.#load(order.id);
      if (now.status !== to) throw this.#conflict(now, step);
    }
    await this.#publish(order, to, step, event.message);
    return { orderId: order.id, status: to, outcome: to };
  }

  #publish(order: OrderRecord, status: OrderStatus, step: OrderStep, message: string): Promise<void> {
    const event: PublishOrderEventInput = { orderId: order.id, owner: order.owner, status, step, message };
    return this.#d.publisher.publish(event);
  }

  #now(): string {
    return this.#d.clock.now().toISOString();
  }
}

/**
 * The message of a caught error. For a Lambda function's error, Step Functions puts the
 * function's error payload (`{errorType, errorMessage, trace}`) as JSON into `Cause`.
 */
export function causeMessage(error: CaughtError): string {
  const cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string' && parsed.errorMessage !== '') return parsed.errorMessage;
  } catch {
    // Not JSON: a plain cause (a Fail state's, or a service error's message).
  }
  return cause !== '' ? cause : error.Error;
}

/** A FAILED order's failure, from the error that started the compensation. */
export function describeFailure(error: CaughtError | undefined, statusAtFailure: OrderStatus): OrderFailureRecord {
  const step: OrderStep | null = isForward(statusAtFailure) && statusAtFailure !== 'CONFIRMED' ? STEP_AFTER[statusAtFailure] : null;
  if (error === undefined) return { code: 'UNKNOWN', message: 'The order could not be completed', step };
  const name = error.Error;
  if (statusAtFailure === 'AWAITING_APPROVAL' && (APPROVAL_TIMEOUT_ERRORS as readonly string[]).includes(name)) {
    return { code: APPROVAL_TIMED_OUT, message: 'No approver decided in time', step };
  }
  const code =
    isSagaOutcome(name) && name !== 'OrderCancelled' ? FAILURE_CODES[name] : `${step ?? 'ORDER'}_FAILED`;
  return { code, message: causeMessage(error), step };
}

/** What the customer is told at the end. */
export function customerMessage(order: OrderRecord): string {
  const total = formatAmount(order.totalCents, order.currency);
  switch (order.status) {
    case 'CONFIRMED':
      return `Your order is confirmed: ${order.items.length} line(s), ${total}.`;
    case 'CANCELLED':
      return order.payment.status === 'REFUNDED'
        ? `Your order was cancelled and ${total} refunded.`
        : 'Your order was cancelled. You were not charged.';
    default: {
      const refunded = order.payment.status === 'REFUNDED' ? ` ${total} was refunded.` : ' You were not charged.';
      return `Your order could not be completed: ${order.failure?.message ?? 'unknown reason'}.${refunded}`;
    }
  }
}
