/**
 * The one mapping from stored records to the GraphQL shapes. A direct Lambda resolver returns
 * the whole shape (AppSync resolves nested fields by property access).
 */
import type { Order, Product } from '../../generated/graphql.js';
import { lineTotal, type OrderRecord, type PaymentTransactionRecord, type ProductRecord } from './model.js';

declare const brand: unique symbol;

/**
 * The mappers of `Order` and `Product` (codegen.yml), so what every resolver returning one
 * declares: exactly the generated shape, plus a brand that exists only at compile time (nothing
 * is added to the object, and AppSync never sees it). Only the functions below add it, so an
 * Order built elsewhere, or a raw ProductRecord (it has every Product field), does not
 * type-check as a resolver's result.
 */
export type OrderView = Order & { readonly [brand]: 'Order' };
export type ProductView = Product & { readonly [brand]: 'Product' };

/**
 * `transactions` is the provider's record, read only when the caller selected it; an empty
 * list stands in otherwise (the field is then not in the response anyway).
 */
export function toGraphQLOrder(order: OrderRecord, transactions: readonly PaymentTransactionRecord[] | null): OrderView {
  const view: Order = {
    id: order.id,
    owner: order.owner,
    status: order.status,
    items: order.items.map((line) => ({
      sku: line.sku,
      name: line.name,
      quantity: line.quantity,
      unitPriceCents: line.unitPriceCents,
      lineTotalCents: lineTotal(line),
    })),
    totalCents: order.totalCents,
    currency: order.currency,
    payment: {
      status: order.payment.status,
      declineReason: order.payment.declineReason,
      transactions: (transactions ?? []).map((t) => ({
        type: t.type,
        amountCents: t.amountCents,
        reference: t.reference,
        at: t.at,
      })),
    },
    failure: order.failure === null ? null : { ...order.failure },
    notifiedAt: order.notifiedAt,
    approval:
      order.approval === null
        ? null
        : {
            requestedAt: order.approval.requestedAt,
            decision: order.approval.decision,
            decidedBy: order.approval.decidedBy,
            note: order.approval.note,
            decidedAt: order.approval.decidedAt,
          },
    clientToken: order.clientToken,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
  return view as OrderView;
}

export function toGraphQLProduct(product: ProductRecord): ProductView {
  const view: Product = {
    sku: product.sku,
    name: product.name,
    description: product.description,
    priceCents: product.priceCents,
    currency: product.currency,
    stock: product.stock,
  };
  return view as ProductView;
}
