/**
 * The most each function's bundle (minified ESM, the AWS SDK bundled in, sharp installed beside
 * it) may weigh, in KiB. A bundle is code V8 compiles on every cold start, and its init time
 * follows its size (`npm run bench -- --only coldstart` profiles it); `npm test`
 * (test/infra/bundle-size.test.ts) builds each entry as NodejsFunction does and fails when one
 * outgrows its budget. Raise a budget on purpose, in review, not to make a test pass.
 *
 * Today's weights, each budget about 8% above them or more: the files API ~258 KiB (the DynamoDB
 * client; it presigns S3 URLs with the SigV4 signer, no S3 client); the file changes API ~418 KiB
 * (the S3 client, for its copy and deletes); the saga's functions ~272-279 KiB (the DynamoDB and
 * Step Functions clients, the SigV4 signer), except those that pay, refund or prepare payments
 * (ProcessPayment, RefundPayment, the orders API: ~544-554 KiB), which bundle the Stripe SDK
 * (~260 KiB; only they install it, resolvers/orders/handlers/payment-wiring.ts); notify ~419 KiB
 * (Powertools Tracer brings aws-xray-sdk-core, ~100 KiB; no idempotency: its claim is on the file
 * record); the pipeline's steps ~628 KiB (the S3 client among them); the dead-letter consumer
 * ~481 KiB (idempotency, the SQS client and the tracer; no S3 client, no image code, no sharp).
 * An S3 client or X-Ray SDK reaching a function that does not use it (~100-120 KiB), or the SDK's
 * full credential chain coming back (~130 KiB: the alias in infra/constructs/service-function.ts),
 * is over budget.
 */
export const BUNDLE_BUDGETS_KIB: Readonly<Record<string, number>> = {
  'resolvers/files/handlers/files-api.ts': 284,
  'resolvers/files/handlers/file-changes-api.ts': 456,
  'resolvers/files/handlers/process-upload.ts': 696,
  'resolvers/files/handlers/make-thumbnails.ts': 696,
  'resolvers/files/handlers/notify.ts': 464,
  'resolvers/files/handlers/dead-letters.ts': 520,
  'resolvers/orders/handlers/orders-api.ts': 604,
  'resolvers/orders/handlers/validate-order.ts': 308,
  'resolvers/orders/handlers/request-approval.ts': 308,
  'resolvers/orders/handlers/process-payment.ts': 596,
  'resolvers/orders/handlers/reserve-inventory.ts': 308,
  'resolvers/orders/handlers/confirm-order.ts': 308,
  'resolvers/orders/handlers/notify-customer.ts': 308,
  'resolvers/orders/handlers/release-inventory.ts': 308,
  'resolvers/orders/handlers/refund-payment.ts': 596,
  'resolvers/orders/handlers/record-sale.ts': 308,
  'resolvers/orders/handlers/mark-failed.ts': 308,
  'resolvers/orders/handlers/mark-needs-attention.ts': 308,
};

/** The budget of a function not yet in the table: the largest above. Give it its own. */
export const DEFAULT_BUNDLE_BUDGET_KIB = 696;

export function bundleBudgetKib(entry: string): number {
  return BUNDLE_BUDGETS_KIB[entry] ?? DEFAULT_BUNDLE_BUDGET_KIB;
}
