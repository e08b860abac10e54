/**
 * The most each function's bundle (minified ESM, the AWS SDK left to the runtime, sharp
 * installed beside it) may weigh, in KiB. A bundle is code Lambda loads and parses on every
 * cold start; `npm test` (test/infra/bundle-size.test.ts) builds each entry as NodejsFunction
 * does and fails when one outgrows its budget. Raise a budget on purpose, in review, not to make
 * a test pass.
 *
 * Today's weights: the API handler ~53 KiB; the pipeline ~250-265 KiB (Powertools Tracer brings
 * aws-xray-sdk-core, ~100 KiB, and idempotency ~40 KiB); the saga's handlers ~72-80 KiB.
 */
export const BUNDLE_BUDGETS_KIB: Readonly<Record<string, number>> = {
  'resolvers/api/files-handler.ts': 64,
  'resolvers/pipeline/process-upload.ts': 300,
  'resolvers/pipeline/make-thumbnails.ts': 300,
  'resolvers/pipeline/notify.ts': 300,
  'resolvers/pipeline/dead-letters.ts': 300,
  'resolvers/orders/handlers/api.ts': 96,
  'resolvers/orders/handlers/validate-order.ts': 88,
  'resolvers/orders/handlers/process-payment.ts': 88,
  'resolvers/orders/handlers/reserve-inventory.ts': 88,
  'resolvers/orders/handlers/confirm-order.ts': 88,
  'resolvers/orders/handlers/notify-customer.ts': 88,
  'resolvers/orders/handlers/release-inventory.ts': 88,
  'resolvers/orders/handlers/refund-payment.ts': 88,
  'resolvers/orders/handlers/mark-failed.ts': 88,
  'resolvers/orders/handlers/mark-needs-attention.ts': 88,
};

/** The budget of a function not yet in the table: the largest above. Give it its own. */
export const DEFAULT_BUNDLE_BUDGET_KIB = 300;

export function bundleBudgetKib(entry: string): number {
  return BUNDLE_BUDGETS_KIB[entry] ?? DEFAULT_BUNDLE_BUDGET_KIB;
}
