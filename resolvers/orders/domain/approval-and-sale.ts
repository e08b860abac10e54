/**
 * The saga's steps around the happy path (infra/constructs/orders-workflow.ts):
 *
 *   ValidateOrder -> NeedsApproval? -> RequestApproval (waits for a person) -> ProcessPayment ...
 *   ConfirmOrder -> Parallel(NotifyCustomer, RecordSale)
 *
 * RequestApproval runs as a `.waitForTaskToken` task: it stores the task token with the order
 * and announces AWAITING_APPROVAL; the state machine then waits until `approveOrder` /
 * `rejectOrder` answer the token (orders-service.ts), or the task times out.
 *
 * RecordSale adds the order's quantities to the products' sales counters once per order (a
 * conditional mark on the order in the same transaction), so a retry never counts twice.
 */
import { OrderCancelledError, OrderNotFoundError, OrderStateConflictError } from './errors.js';
import { formatAmount } from './model.js';
import type { Clock, Log, OrderEventPublisher, OrderRepository, SalesLedger } from './ports.js';
import type { StepResult } from './order-saga.js';

export interface ApprovalRequest {
  readonly orderId: string;
  readonly taskToken: string;
}

export interface ApprovalAndSaleDeps {
  readonly orders: OrderRepository;
  readonly sales: SalesLedger;
  readonly publisher: OrderEventPublisher;
  readonly clock: Clock;
  readonly log: Log;
}

export class ApprovalAndSaleSteps {
  readonly #d: ApprovalAndSaleDeps;

  constructor(deps: ApprovalAndSaleDeps) {
    this.#d = deps;
  }

  /** VALIDATED -> AWAITING_APPROVAL, keeping the task token the approvers' answer goes to. */
  async requestApproval({ orderId, taskToken }: ApprovalRequest): Promise<StepResult> {
    const order = await this.#d.orders.get(orderId);
    if (order === null) throw new OrderNotFoundError(orderId);
    const at = this.#d.clock.now().toISOString();
    if (!(await this.#d.orders.awaitApproval(orderId, taskToken, at))) {
      const now = (await this.#d.orders.get(orderId)) ?? order;
      // The same invocation again (functions run at least once): the order keeps this token and an
      // approver may have answered it already. Nothing to store or announce; failing here would
      // close the task the answer is on its way to.
      if (now.approval?.taskToken === taskToken) return { orderId, status: 'AWAITING_APPROVAL', outcome: 'AWAITING_APPROVAL' };
      if (now.status === 'CANCELLED') throw new OrderCancelledError(orderId);
      throw new OrderStateConflictError(orderId, now.status, 'RequestApproval');
    }
    await this.#d.publisher.publish({
      orderId,
      owner: order.owner,
      status: 'AWAITING_APPROVAL',
      step: 'APPROVAL',
      message: `Waiting for an approver: ${formatAmount(order.totalCents, order.currency)} reaches the approval threshold`,
    });
    return { orderId, status: 'AWAITING_APPROVAL', outcome: 'AWAITING_APPROVAL' };
  }

  /** Counts a confirmed order's sale, once. */
  async recordSale({ orderId }: { orderId: string }): Promise<StepResult> {
    const order = await this.#d.orders.get(orderId);
    if (order === null) throw new OrderNotFoundError(orderId);
    if (order.status !== 'CONFIRMED') throw new OrderStateConflictError(orderId, order.status, 'RecordSale');
    if (order.saleRecordedAt !== null) return { orderId, status: order.status, outcome: 'ALREADY_RECORDED' };
    const outcome = await this.#d.sales.recordSale(order, this.#d.clock.now().toISOString());
    this.#d.log.info('Sale recorded', { orderId, outcome });
    return { orderId, status: order.status, outcome };
  }
}
