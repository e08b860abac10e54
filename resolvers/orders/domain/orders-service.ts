/**
 * The orders API's use cases: the catalog, placing an order (which starts its saga), reading
 * orders, cancelling one. Depends on ports only; the owner is always the authenticated caller.
 */
import type { PlaceOrderInput, ResolversTypes } from '../../generated/graphql.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { ClientTokenConflictError, OrderNotCancellableError } from './errors.js';
import { isOrderId, orderIdFor, requestFingerprint } from './identity.js';
import { CANCELLABLE_STATUSES, isCancellable, orderTotal, type OrderLineRecord, type OrderRecord } from './model.js';
import { type OrderView, toGraphQLOrder, toGraphQLProduct } from './order-view.js';
import { decodeOrdersToken, decodeProductsToken, encodeOrdersToken, encodeProductsToken } from './page-token.js';
import type {
  Clock,
  OrderEventPublisher,
  OrderRepository,
  OrderWorkflow,
  PaymentProvider,
  ProductCatalog,
} from './ports.js';
import { type ValidPlaceOrder, validatePageSize, validatePlaceOrder } from './validation.js';
import { decide, pendingApprovals } from './approvals.js';

export const DEFAULT_ORDERS_PAGE = 20;
export const DEFAULT_PRODUCTS_PAGE = 50;

export interface OrdersServiceDeps {
  readonly orders: OrderRepository;
  readonly catalog: ProductCatalog;
  readonly payments: PaymentProvider;
  readonly workflow: OrderWorkflow;
  readonly publisher: OrderEventPublisher;
  readonly clock: Clock;
}

/** Whether to read the payment provider's record for each order returned. */
export interface ViewOptions {
  readonly transactions: boolean;
}

export class OrdersService {
  readonly #deps: OrdersServiceDeps;

  constructor(deps: OrdersServiceDeps) {
    this.#deps = deps;
  }

  async listProducts(args: { limit?: number | null; nextToken?: string | null }): Promise<ResolversTypes['ProductConnection']> {
    const limit = validatePageSize(args.limit, DEFAULT_PRODUCTS_PAGE);
    const startAfter = args.nextToken == null ? null : decodeProductsToken(args.nextToken);
    const page = await this.#deps.catalog.list({ limit, startAfter });
    return {
      items: page.items.map(toGraphQLProduct),
      nextToken: page.lastKey === null ? null : encodeProductsToken(page.lastKey),
    };
  }

  /**
   * Stores the order (PENDING) and starts its execution. The same clientToken again, even
   * concurrently, finds the same order id: the conditional create lets one request write it,
   * and the execution named after the order is started at most once.
   */
  async placeOrder(owner: string, input: PlaceOrderInput, view: ViewOptions): Promise<OrderView> {
    const request = validatePlaceOrder(input);
    const id = orderIdFor(owner, request.clientToken);
    const fingerprint = requestFingerprint(request.lines, request.paymentToken);

    let order = await this.#deps.orders.get(id);
    if (order === null) {
      const candidate = await this.#newOrder(id, owner, request, fingerprint);
      order = (await this.#deps.orders.create(candidate)) ? candidate : await this.#deps.orders.get(id);
      if (order === null) throw new Error(`Order ${id} was neither created nor found`);
    }
    if (order.owner !== owner || order.fingerprint !== fingerprint) throw new ClientTokenConflictError();

    // Also on a retry: the first request may have stored the order and failed before this.
    await this.#deps.workflow.start(id, order.totalCents);
    return this.#view(order, view);
  }

  /** The caller's order, or null when it does not exist or belongs to someone else. */
  async getOrder(owner: string, id: string, view: ViewOptions): Promise<OrderView | null> {
    if (!isOrderId(id)) return null;
    const order = await this.#deps.orders.get(id);
    if (order === null || order.owner !== owner) return null;
    return this.#view(order, view);
  }

  async listOrders(owner: string, args: { limit?: number | null; nextToken?: string | null }, view: ViewOptions): Promise<ResolversTypes['OrderConnection']> {
    const limit = validatePageSize(args.limit, DEFAULT_ORDERS_PAGE);
    const startAfter = args.nextToken == null ? null : decodeOrdersToken(args.nextToken, owner);
    const page = await this.#deps.orders.listByOwner(owner, { limit, startAfter });
    return {
      items: await Promise.all(page.items.map((order) => this.#view(order, view))),
      nextToken: page.lastKey === null ? null : encodeOrdersToken(page.lastKey),
    };
  }

  /**
   * Marks the order CANCELLED. The saga notices at its next step and undoes what was done
   * (a reservation, a charge); subscribers see those steps as they happen.
   */
  async cancelOrder(owner: string, id: string, view: ViewOptions): Promise<OrderView> {
    const order = isOrderId(id) ? await this.#deps.orders.get(id) : null;
    if (order === null || order.owner !== owner) throw new NotFoundError('Order not found');
    if (order.status === 'CANCELLED') return this.#view(order, view);
    if (!isCancellable(order.status)) throw new OrderNotCancellableError(order.status);

    const at = this.#deps.clock.now().toISOString();
    if (!(await this.#deps.orders.transition(id, CANCELLABLE_STATUSES, 'CANCELLED', at))) {
      // It moved on meanwhile (confirmed, or failed): say what it is now.
      const now = await this.#deps.orders.get(id);
      if (now?.status === 'CANCELLED') return this.#view(now, view);
      throw new OrderNotCancellableError(now?.status ?? order.status);
    }
    await this.#deps.publisher.publish({
      orderId: id,
      owner,
      status: 'CANCELLED',
      step: 'CANCEL',
      message: 'Cancelled by the customer',
    });
    if (order.approval !== null && order.approval.decision === null) {
      // The execution waits for an approver: it goes on to undo now, not when the wait times out.
      await this.#deps.workflow.answer(order.approval.taskToken, { kind: 'failure', error: 'OrderCancelled', cause: 'Cancelled by the customer' });
    }
    return this.#view({ ...order, status: 'CANCELLED', updatedAt: at }, view);
  }

  /** Approvers: the orders waiting for a decision, oldest first. Each listed wait's heartbeat is renewed. */
  async pendingApprovals(args: { limit?: number | null; nextToken?: string | null }, view: ViewOptions): Promise<ResolversTypes['OrderConnection']> {
    return pendingApprovals(this.#deps, args, (order) => this.#view(order, view));
  }

  /** Approvers: the order goes on to payment. */
  async approveOrder(approver: string, orderId: string, comment: string | null | undefined, view: ViewOptions): Promise<OrderView> {
    return this.#view(await decide(this.#deps, approver, orderId, { decision: 'APPROVED', note: comment ?? null }), view);
  }

  /** Approvers: the order fails with the reason; nothing is charged. */
  async rejectOrder(approver: string, orderId: string, reason: string, view: ViewOptions): Promise<OrderView> {
    return this.#view(await decide(this.#deps, approver, orderId, { decision: 'REJECTED', note: reason }), view);
  }

  async #newOrder(id: string, owner: string, request: ValidPlaceOrder, fingerprint: string): Promise<OrderRecord> {
    const products = await this.#deps.catalog.getMany(request.lines.map((line) => line.sku));
    const unknown = request.lines.filter((line) => !products.has(line.sku)).map((line) => line.sku);
    if (unknown.length > 0) {
      throw new ValidationError(`Invalid input: unknown sku ${unknown.join(', ')}`);
    }
    const lines: OrderLineRecord[] = request.lines.map((line) => {
      const product = products.get(line.sku)!;
      return { sku: line.sku, name: product.name, quantity: line.quantity, unitPriceCents: product.priceCents };
    });
    const currencies = new Set(request.lines.map((line) => products.get(line.sku)!.currency));
    if (currencies.size > 1) {
      throw new ValidationError(`Invalid input: the products are priced in different currencies (${[...currencies].join(', ')})`);
    }
    const totalCents = orderTotal(lines);
    const currency = [...currencies][0] ?? 'USD';
    // The provider keeps the token; the order keeps the provider's id (idempotent by order id).
    const { paymentId } = await this.#deps.payments.prepare({ orderId: id, amountCents: totalCents, currency, paymentToken: request.paymentToken });
    const at = this.#deps.clock.now().toISOString();
    return {
      id,
      owner,
      clientToken: request.clientToken,
      fingerprint,
      status: 'PENDING',
      items: lines,
      totalCents,
      currency,
      paymentId,
      payment: { status: 'NONE', reference: null, declineReason: null },
      reservation: null,
      failure: null,
      notifiedAt: null,
      approval: null,
      saleRecordedAt: null,
      createdAt: at,
      updatedAt: at,
    };
  }

  async #view(order: OrderRecord, view: ViewOptions): Promise<OrderView> {
    const transactions = view.transactions ? await this.#deps.payments.transactions({ orderId: order.id, paymentId: order.paymentId }) : null;
    return toGraphQLOrder(order, transactions);
  }
}
