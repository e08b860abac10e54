/** In-memory implementations of the orders domain's ports, with the same rules as the DynamoDB ones. */
import type { PublishOrderEventInput } from '../../../resolvers/generated/graphql.js';
import type { Shortage } from '../../../resolvers/orders/domain/errors.js';
import type { OrderListKey, OrderRecord, OrderStatus, PaymentRecord, ProductRecord } from '../../../resolvers/orders/domain/model.js';
import {
  type ChargeEntry,
  type DeclineEntry,
  type IntentEntry,
  type LedgerEntries,
  PaymentSimulator,
  type Recorded,
  type RefundEntry,
  type SimulatorLedger,
} from '../../../resolvers/orders/domain/payment-simulator.js';
import type {
  ApprovalDecisionInput,
  Clock,
  Inventory,
  Log,
  OrderEventPublisher,
  OrderRepository,
  OrderWorkflow,
  Page,
  ProductCatalog,
  ReleaseOutcome,
  ReserveOutcome,
  SaleOutcome,
  SalesLedger,
  TransitionChanges,
  WorkflowTaskAnswer,
} from '../../../resolvers/orders/domain/ports.js';

/** Yields to other promises, as a network call would: lets concurrent calls interleave. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeCatalog implements ProductCatalog {
  readonly products = new Map<string, ProductRecord>();

  constructor(products: readonly ProductRecord[] = []) {
    for (const product of products) this.products.set(product.sku, { ...product });
  }

  async getMany(skus: readonly string[]): Promise<ReadonlyMap<string, ProductRecord>> {
    await tick();
    return new Map(skus.flatMap((sku) => (this.products.has(sku) ? [[sku, { ...this.products.get(sku)! }] as const] : [])));
  }

  async list(options: { limit: number; startAfter: string | null }): Promise<Page<ProductRecord, string>> {
    const all = [...this.products.values()].sort((a, b) => a.sku.localeCompare(b.sku));
    const start = options.startAfter === null ? 0 : all.findIndex((p) => p.sku === options.startAfter) + 1;
    const items = all.slice(start, start + options.limit);
    const more = all.length > start + options.limit;
    return { items, lastKey: more ? (items.at(-1)?.sku ?? null) : null };
  }
}

export class FakeOrders implements OrderRepository {
  readonly records = new Map<string, OrderRecord>();
  readonly transitions: string[] = [];

  async create(order: OrderRecord): Promise<boolean> {
    await tick();
    if (this.records.has(order.id)) return false;
    this.records.set(order.id, order);
    return true;
  }

  async get(id: string): Promise<OrderRecord | null> {
    await tick();
    return this.records.get(id) ?? null;
  }

  async listByOwner(owner: string, options: { limit: number; startAfter: OrderListKey | null }): Promise<Page<OrderRecord, OrderListKey>> {
    const mine = [...this.records.values()]
      .filter((o) => o.owner === owner)
      .sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt)));
    const start = options.startAfter === null ? 0 : mine.findIndex((o) => o.id === options.startAfter!.id) + 1;
    const items = mine.slice(start, start + options.limit);
    const last = items.at(-1);
    const more = mine.length > start + options.limit;
    return { items, lastKey: more && last ? { id: last.id, owner: last.owner, createdAt: last.createdAt } : null };
  }

  async transition(id: string, from: readonly OrderStatus[], to: OrderStatus, at: string, changes: TransitionChanges = {}): Promise<boolean> {
    await tick();
    const order = this.records.get(id);
    if (!order || !from.includes(order.status)) return false;
    this.records.set(id, {
      ...order,
      status: to,
      updatedAt: at,
      ...(changes.payment ? { payment: changes.payment } : {}),
      ...(changes.failure !== undefined ? { failure: changes.failure } : {}),
    });
    this.transitions.push(`${id}:${order.status}->${to}`);
    return true;
  }

  async recordPayment(id: string, payment: PaymentRecord, at: string): Promise<void> {
    const order = this.records.get(id);
    if (!order) throw new Error(`no order ${id}`);
    this.records.set(id, { ...order, payment, updatedAt: at });
  }

  async markNotified(id: string, at: string): Promise<boolean> {
    const order = this.records.get(id);
    if (!order || order.notifiedAt !== null) return false;
    this.records.set(id, { ...order, notifiedAt: at });
    return true;
  }

  async awaitApproval(id: string, taskToken: string, at: string): Promise<boolean> {
    await tick();
    const order = this.records.get(id);
    const retried = order?.status === 'AWAITING_APPROVAL' && order.approval?.decision == null;
    if (!order || (order.status !== 'VALIDATED' && !retried)) return false;
    this.records.set(id, {
      ...order,
      status: 'AWAITING_APPROVAL',
      approval: { taskToken, requestedAt: at, decision: null, decidedBy: null, note: null, decidedAt: null },
      updatedAt: at,
    });
    return true;
  }

  async decideApproval(id: string, decision: ApprovalDecisionInput, at: string): Promise<boolean> {
    await tick();
    const order = this.records.get(id);
    if (!order || order.status !== 'AWAITING_APPROVAL' || !order.approval || order.approval.decision !== null) return false;
    this.records.set(id, {
      ...order,
      status: decision.decision === 'APPROVED' ? 'APPROVED' : order.status,
      approval: { ...order.approval, ...decision, decidedAt: at },
      updatedAt: at,
    });
    return true;
  }

  async listAwaitingApproval(options: { limit: number; startAfter: OrderListKey | null }): Promise<Page<OrderRecord, OrderListKey>> {
    const waiting = [...this.records.values()].filter((o) => o.status === 'AWAITING_APPROVAL').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const start = options.startAfter === null ? 0 : waiting.findIndex((o) => o.id === options.startAfter!.id) + 1;
    const items = waiting.slice(start, start + options.limit);
    const last = items.at(-1);
    return { items, lastKey: waiting.length > start + options.limit && last ? { id: last.id, owner: 'PENDING', createdAt: last.createdAt } : null };
  }
}

/** Sales counters over the fake catalog, once per order. */
export class FakeSales implements SalesLedger {
  readonly sold = new Map<string, number>();
  failNext = 0;

  constructor(private readonly orders: FakeOrders) {}

  async recordSale(order: OrderRecord, at: string): Promise<SaleOutcome> {
    await tick();
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw Object.assign(new Error('DynamoDB is unavailable'), { name: 'ServiceUnavailable' });
    }
    const current = this.orders.records.get(order.id);
    if (!current || current.saleRecordedAt !== null) return 'ALREADY_RECORDED';
    for (const line of order.items) this.sold.set(line.sku, (this.sold.get(line.sku) ?? 0) + line.quantity);
    this.orders.records.set(order.id, { ...current, saleRecordedAt: at });
    return 'RECORDED';
  }
}

/** Reservation as one atomic step over the fake orders and catalog. */
export class FakeInventory implements Inventory {
  readonly reservations: string[] = [];
  readonly releases: string[] = [];

  constructor(
    private readonly orders: FakeOrders,
    private readonly catalog: FakeCatalog,
  ) {}

  async reserve(order: OrderRecord, at: string): Promise<ReserveOutcome> {
    await tick();
    const current = this.orders.records.get(order.id);
    if (current?.status !== 'PAID') return { kind: 'ORDER_CHANGED' };
    const shortages: Shortage[] = order.items
      .map((line) => ({ sku: line.sku, requested: line.quantity, available: this.catalog.products.get(line.sku)?.stock ?? 0 }))
      .filter((s) => s.available < s.requested);
    if (shortages.length > 0) return { kind: 'OUT_OF_STOCK', shortages };
    for (const line of order.items) {
      const product = this.catalog.products.get(line.sku)!;
      this.catalog.products.set(line.sku, { ...product, stock: product.stock - line.quantity });
    }
    this.orders.records.set(order.id, { ...current, status: 'RESERVED', reservation: { reservedAt: at, releasedAt: null }, updatedAt: at });
    this.reservations.push(order.id);
    return { kind: 'RESERVED' };
  }

  async release(order: OrderRecord, at: string): Promise<ReleaseOutcome> {
    await tick();
    const current = this.orders.records.get(order.id);
    if (!current?.reservation) return 'NOT_RESERVED';
    if (current.reservation.releasedAt !== null) return 'ALREADY_RELEASED';
    for (const line of order.items) {
      const product = this.catalog.products.get(line.sku)!;
      this.catalog.products.set(line.sku, { ...product, stock: product.stock + line.quantity });
    }
    this.orders.records.set(order.id, { ...current, reservation: { ...current.reservation, releasedAt: at } });
    this.releases.push(order.id);
    return 'RELEASED';
  }
}

export class FakeLedger implements SimulatorLedger {
  readonly intents = new Map<string, IntentEntry>();
  readonly charges = new Map<string, ChargeEntry>();
  readonly refunds = new Map<string, RefundEntry>();
  readonly declines = new Map<string, DeclineEntry>();
  readonly attempts = new Map<string, number>();

  async entries(orderId: string): Promise<LedgerEntries> {
    await tick();
    return {
      intent: this.intents.get(orderId) ?? null,
      charge: this.charges.get(orderId) ?? null,
      refund: this.refunds.get(orderId) ?? null,
      decline: this.declines.get(orderId) ?? null,
    };
  }

  async countAttempt(orderId: string, kind: 'charge' | 'refund'): Promise<number> {
    await tick();
    const key = `${orderId}:${kind}`;
    const count = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, count);
    return count;
  }

  recordIntent(entry: IntentEntry): Promise<Recorded<IntentEntry>> {
    return this.#once(this.intents, entry);
  }

  recordCharge(entry: ChargeEntry): Promise<Recorded<ChargeEntry>> {
    return this.#once(this.charges, entry);
  }

  recordDecline(entry: DeclineEntry): Promise<Recorded<DeclineEntry>> {
    return this.#once(this.declines, entry);
  }

  recordRefund(entry: RefundEntry): Promise<Recorded<RefundEntry>> {
    return this.#once(this.refunds, entry);
  }

  async #once<T extends { orderId: string }>(map: Map<string, T>, entry: T): Promise<Recorded<T>> {
    await tick();
    const existing = map.get(entry.orderId);
    if (existing) return { entry: existing, created: false };
    map.set(entry.orderId, entry);
    return { entry, created: true };
  }
}

export class RecordingPublisher implements OrderEventPublisher {
  readonly events: PublishOrderEventInput[] = [];
  failNext = 0;

  async publish(event: PublishOrderEventInput): Promise<void> {
    await tick();
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw Object.assign(new Error('AppSync is unavailable'), { name: 'EventPublishError' });
    }
    this.events.push(event);
  }

  of(orderId: string): [string, string][] {
    return this.events.filter((e) => e.orderId === orderId).map((e) => [e.status, e.step]);
  }
}

export class RecordingWorkflow implements OrderWorkflow {
  readonly started: string[] = [];
  readonly answers: { taskToken: string; answer: WorkflowTaskAnswer }[] = [];
  readonly heartbeats: string[] = [];
  /** Tokens no task waits on any more. */
  readonly closed = new Set<string>();

  async start(orderId: string): Promise<void> {
    await tick();
    // One execution per name, as Step Functions keeps it.
    if (!this.started.includes(orderId)) this.started.push(orderId);
  }

  async answer(taskToken: string, answer: WorkflowTaskAnswer): Promise<'ANSWERED' | 'CLOSED'> {
    await tick();
    if (this.closed.has(taskToken)) return 'CLOSED';
    this.closed.add(taskToken);
    this.answers.push({ taskToken, answer });
    return 'ANSWERED';
  }

  async heartbeat(taskToken: string): Promise<'ALIVE' | 'CLOSED'> {
    this.heartbeats.push(taskToken);
    return this.closed.has(taskToken) ? 'CLOSED' : 'ALIVE';
  }
}

export const fixedClock = (iso = '2026-03-01T10:00:00.000Z'): Clock & { advance(ms: number): void } => {
  let now = Date.parse(iso);
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
};

export const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

export const CATALOG: readonly ProductRecord[] = [
  { sku: 'MUG-01', name: 'Mug', description: null, priceCents: 1250, currency: 'USD', stock: 10 },
  { sku: 'TEE-01', name: 'Tee', description: 'Cotton', priceCents: 2400, currency: 'USD', stock: 5 },
  { sku: 'LAMP-01', name: 'Lamp', description: null, priceCents: 4500, currency: 'USD', stock: 1 },
  { sku: 'EURO-01', name: 'Euro thing', description: null, priceCents: 1000, currency: 'EUR', stock: 5 },
];

/** Every port, faked and wired together. */
export function world(options: { products?: readonly ProductRecord[] } = {}) {
  const catalog = new FakeCatalog(options.products ?? CATALOG);
  const orders = new FakeOrders();
  const inventory = new FakeInventory(orders, catalog);
  const ledger = new FakeLedger();
  const payments = new PaymentSimulator({ ledger, slowMs: 0 });
  const publisher = new RecordingPublisher();
  const workflow = new RecordingWorkflow();
  const sales = new FakeSales(orders);
  const clock = fixedClock();
  return { catalog, orders, inventory, ledger, payments, publisher, workflow, sales, clock, log: silentLog };
}
