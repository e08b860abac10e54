import { useCallback, useEffect, useRef, useState } from 'react';
import {
  CancelOrderDocument,
  OnOrderEventDocument,
  type OnOrderEventSubscription,
  OrderDocument,
  type OrderFieldsFragment,
  OrdersDocument,
  PlaceOrderDocument,
  type ProductFieldsFragment,
  ProductsDocument,
} from '../../../client/generated/operations.ts';
import { request, subscribe } from '../lib/api.ts';
import { useSubscriptionAck } from '../lib/ack.ts';
import { onReconnect } from '../lib/connection.ts';
import { mergeEvents, shownMark } from '../lib/timeline.ts';
import { Cart, type CartLine } from './Cart.tsx';
import { OrderCard } from './OrderCard.tsx';
import { TableHead } from './TableHead.tsx';
import { ActionButton } from './ActionButton.tsx';

export type OrderEvent = NonNullable<OnOrderEventSubscription['onOrderEvent']>;

export function Orders() {
  const [products, setProducts] = useState<ProductFieldsFragment[]>([]);
  const [orders, setOrders] = useState<OrderFieldsFragment[]>([]);
  const [nextToken, setNextToken] = useState<string | null>(null);
  const [events, setEvents] = useState<Record<string, OrderEvent[]>>({});
  const [cart, setCart] = useState<CartLine[]>([]);
  const [error, setError] = useState<string>();
  const known = useRef(new Set<string>());
  const live = useSubscriptionAck('onOrderEvent');

  const upsert = useCallback((order: OrderFieldsFragment) => {
    known.current.add(order.id);
    setOrders((current) => (current.some((o) => o.id === order.id) ? current.map((o) => (o.id === order.id ? order : o)) : [order, ...current]));
  }, []);
  const refresh = useCallback(
    async (id: string) => {
      const { order } = await request(OrderDocument, { id });
      if (order) upsert(order);
    },
    [upsert],
  );
  const loadProducts = useCallback(async () => setProducts((await request(ProductsDocument, { limit: 100 })).products.items), []);
  const loadOrders = useCallback(async (token: string | null) => {
    const { orders: page } = await request(OrdersDocument, { limit: 20, nextToken: token });
    for (const o of page.items) known.current.add(o.id);
    setOrders((current) => (token === null ? page.items : [...current, ...page.items.filter((o) => !current.some((c) => c.id === o.id))]));
    setNextToken(page.nextToken);
  }, []);

  useEffect(() => {
    Promise.all([loadProducts(), loadOrders(null)]).catch((e: Error) => setError(e.message));
  }, [loadProducts, loadOrders]);

  useEffect(() => {
    const subscription = subscribe(
      OnOrderEventDocument,
      {},
      ({ onOrderEvent: event }) => {
        if (!event) return;
        setEvents((current) => ({ ...current, [event.orderId]: mergeEvents(current[event.orderId] ?? [], [event]) }));
        shownMark({ id: event.orderId, status: event.status, step: event.step, at: event.at });
        if (event.step === 'NOTIFY' || !known.current.has(event.orderId)) {
          void refresh(event.orderId);
          void loadProducts();
        } else setOrders((current) => current.map((o) => (o.id === event.orderId ? { ...o, status: event.status } : o)));
      },
      (e) => setError(`Live updates: ${e.message}`),
    );
    const stop = onReconnect(() => void loadOrders(null));
    return () => {
      subscription.unsubscribe();
      stop();
    };
  }, [refresh, loadOrders, loadProducts]);

  const place = async (lines: readonly CartLine[], paymentToken: string, clientToken: string) => {
    const { placeOrder } = await request(PlaceOrderDocument, {
      input: { items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })), paymentToken, clientToken },
    });
    upsert(placeOrder);
    setCart([]);
  };

  const cancel = async (order: OrderFieldsFragment) => {
    try {
      upsert((await request(CancelOrderDocument, { id: order.id })).cancelOrder);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <>
      <section aria-labelledby="catalog-heading">
        <h2 id="catalog-heading">Catalog</h2>
        <table className="catalog">
          <caption className="visually-hidden">Products with their price and stock</caption>
          <TableHead columns={['Product', 'Price', 'In stock']} action="Add" />
          <tbody>
            {products.map((p) => (
              <tr key={p.sku} data-sku={p.sku}>
                <th scope="row">
                  {p.name} <span className="sku">{p.sku}</span>
                </th>
                <td>{money(p.priceCents, p.currency)}</td>
                <td>{p.stock}</td>
                <td>
                  <ActionButton
                    verb="Add"
                    subject={p.name}
                    after="to cart"
                    disabled={p.stock === 0}
                    onClick={() =>
                      setCart((c) =>
                        c.some((l) => l.sku === p.sku)
                          ? c.map((l) => (l.sku === p.sku ? { ...l, quantity: Math.min(100, l.quantity + 1) } : l))
                          : [...c, { sku: p.sku, name: p.name, quantity: 1, priceCents: p.priceCents, currency: p.currency }],
                      )
                    }
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <Cart lines={cart} live={live} onChange={setCart} onPlace={place} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <section aria-labelledby="orders-heading">
        <h2 id="orders-heading">Your orders</h2>
        {orders.length === 0 && <p>No orders yet.</p>}
        <ul className="orders" aria-labelledby="orders-heading">
          {orders.map((order) => (
            <OrderCard key={order.id} order={order} events={events[order.id] ?? []} onCancel={() => void cancel(order)} />
          ))}
        </ul>
        {nextToken && (
          <button type="button" onClick={() => void loadOrders(nextToken).catch((e: Error) => setError(e.message))}>
            More orders
          </button>
        )}
      </section>
    </>
  );
}

export const money = (cents: number, currency: string): string =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
