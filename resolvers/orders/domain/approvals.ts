/**
 * The approvers' use cases (members of the Cognito group `approvers`; AppSync checks the group
 * before the resolver runs): the queue of orders waiting for a decision, and the decision.
 *
 * A decision is recorded first, with a condition that lets exactly one decision in (a second
 * one, concurrent or later, gets OrderNotAwaitingApproval), then given to the waiting task:
 * SendTaskSuccess lets the execution go on to payment, SendTaskFailure (`ApprovalRejected`,
 * with the reason) sends it to MarkFailed, which fails the order with that reason.
 */
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { APPROVAL_REJECTED, ApprovalExpiredError, OrderNotAwaitingApprovalError, OwnOrderApprovalError } from './errors.js';
import { isOrderId } from './identity.js';
import type { ApprovalDecision, OrderRecord } from './model.js';
import { decodeOrdersToken, encodeOrdersToken } from './page-token.js';
import type { Clock, OrderEventPublisher, OrderRepository, OrderWorkflow } from './ports.js';
import { validatePageSize } from './validation.js';

/** The approvers' queue, as the owner field of its page tokens (no user id looks like it). */
export const APPROVAL_QUEUE = 'PENDING';
const MAX_NOTE_LENGTH = 500;

interface Deps {
  readonly orders: OrderRepository;
  readonly workflow: OrderWorkflow;
  readonly publisher: OrderEventPublisher;
  readonly clock: Clock;
}

export async function pendingApprovals<V>(
  deps: Deps,
  args: { limit?: number | null; nextToken?: string | null },
  view: (order: OrderRecord) => Promise<V>,
): Promise<{ items: V[]; nextToken: string | null }> {
  const limit = validatePageSize(args.limit, 20);
  const startAfter = args.nextToken == null ? null : decodeOrdersToken(args.nextToken, APPROVAL_QUEUE);
  const page = await deps.orders.listAwaitingApproval({ limit, startAfter });
  // An approver has the request in front of them: the waiting task is still looked after.
  await Promise.all(page.items.map((order) => (order.approval === null ? null : deps.workflow.heartbeat(order.approval.taskToken))));
  return {
    items: await Promise.all(page.items.map(view)),
    nextToken: page.lastKey === null ? null : encodeOrdersToken({ ...page.lastKey, owner: APPROVAL_QUEUE }),
  };
}

export async function decide(
  deps: Deps,
  approver: string,
  orderId: string,
  request: { readonly decision: ApprovalDecision; readonly note: string | null },
): Promise<OrderRecord> {
  const note = request.note?.trim() ?? null;
  if (request.decision === 'REJECTED' && (note === null || note === '')) throw new ValidationError('Invalid input: a rejection needs a reason');
  if (note !== null && note.length > MAX_NOTE_LENGTH) throw new ValidationError(`Invalid input: at most ${MAX_NOTE_LENGTH} characters`);
  const order = isOrderId(orderId) ? await deps.orders.get(orderId) : null;
  if (order === null) throw new NotFoundError('Order not found');
  if (order.owner === approver) throw new OwnOrderApprovalError();
  if (order.status !== 'AWAITING_APPROVAL' || order.approval === null || order.approval.decision !== null) {
    throw new OrderNotAwaitingApprovalError(order.status, order.approval?.decision != null);
  }

  const at = deps.clock.now().toISOString();
  if (!(await deps.orders.decideApproval(orderId, { decision: request.decision, decidedBy: approver, note: note === '' ? null : note }, at))) {
    const now = (await deps.orders.get(orderId)) ?? order;
    throw new OrderNotAwaitingApprovalError(now.status, now.approval?.decision != null);
  }
  const answered = await deps.workflow.answer(
    order.approval.taskToken,
    request.decision === 'APPROVED'
      ? { kind: 'success', output: { decision: 'APPROVED', decidedBy: approver } }
      : { kind: 'failure', error: APPROVAL_REJECTED, cause: note ?? 'Rejected' },
  );
  if (answered === 'CLOSED') throw new ApprovalExpiredError();
  if (request.decision === 'APPROVED') {
    await deps.publisher.publish({
      orderId,
      owner: order.owner,
      status: 'APPROVED',
      step: 'APPROVAL',
      message: note === null || note === '' ? 'Approved' : `Approved: ${note}`,
    });
  }
  const decided = await deps.orders.get(orderId);
  return decided ?? order;
}
