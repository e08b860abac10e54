import type { OrderFieldsFragment, OrderStep } from '../../../client/generated/operations.ts';
import { type OrderEvent, money } from './Orders.tsx';
import { Steps } from './Steps.tsx';
import { ActionButton } from './ActionButton.tsx';

/** The saga's steps that undo or close out a failure (docs/orders.md), shown apart from the forward path. */
const COMPENSATIONS: ReadonlySet<OrderStep> = new Set<OrderStep>(['RELEASE_INVENTORY', 'REFUND_PAYMENT', 'MARK_FAILED', 'ESCALATE']);
const CANCELLABLE = new Set(['PENDING', 'VALIDATED', 'PAID', 'RESERVED']);

interface Props {
  readonly order: OrderFieldsFragment;
  readonly events: readonly OrderEvent[];
  readonly onCancel: () => void;
}

export function OrderCard({ order, events, onCancel }: Props) {
  const forward = events.filter((e) => !COMPENSATIONS.has(e.step));
  const undone = events.filter((e) => COMPENSATIONS.has(e.step));
  const headingId = `order-${order.id}`;
  return (
    <li className="card" aria-labelledby={headingId} data-order-id={order.id} data-status={order.status}>
      <h3 id={headingId}>
        Order <span className="mono">{order.id.slice(0, 8)}</span>
      </h3>
      <p className="meta">
        <span className={`status status-${order.status.toLowerCase()}`}>{order.status}</span> {money(order.totalCents, order.currency)} ·{' '}
        {order.items.map((i) => `${i.quantity} × ${i.name}`).join(', ')}
      </p>
      {forward.length > 0 && <Steps label="Steps" events={forward} />}
      {undone.length > 0 && (
        <div className="compensations">
          <h4>Compensations</h4>
          <Steps label="Compensations" events={undone} />
        </div>
      )}
      {order.failure && (
        <p className="error" role="status">
          {order.failure.code}: {order.failure.message}
        </p>
      )}
      {CANCELLABLE.has(order.status) && (
        <ActionButton verb="Cancel" subject={`order ${order.id.slice(0, 8)}`} onClick={onCancel} />
      )}
    </li>
  );
}
