/**
 * The most each function's bundle (minified ESM, the AWS SDK bundled in, sharp installed beside
 * it) may weigh, in KiB. A bundle is code V8 compiles on every cold start, and its init time
 * follows its size (`npm run bench -- --only coldstart` profiles it); `npm test`
 * (test/infra/bundle-size.test.ts) builds each entry as NodejsFunction does and fails when one
 * outgrows its budget. Raise a budget on purpose, in review, not to make a test pass.
 *
 * Today's weights, each budget ~8% above: the files API ~390 KiB (the DynamoDB client; it presigns
 * S3 URLs with the SigV4 signer, no S3 client); the file changes API ~530 KiB (the S3 client, for
 * its copy and deletes); the saga's functions ~415 KiB (the DynamoDB and Step Functions clients,
 * the SigV4 signer); notify ~547 KiB (Powertools Tracer brings aws-xray-sdk-core, ~100 KiB; no
 * idempotency: its claim is on the file record); the pipeline's steps ~745-760 KiB (the S3
 * client among them). An S3 client or X-Ray SDK reaching a function that does not use it
 * (~100-120 KiB) is over budget.
 */
export const BUNDLE_BUDGETS_KIB: Readonly<Record<string, number>> = {
  'resolvers/api/files-handler.ts': 420,
  'resolvers/api/file-changes-handler.ts': 576,
  'resolvers/pipeline/process-upload.ts': 808,
  'resolvers/pipeline/make-thumbnails.ts': 808,
  'resolvers/pipeline/notify.ts': 592,
  'resolvers/pipeline/dead-letters.ts': 824,
  'resolvers/orders/handlers/api.ts': 456,
  'resolvers/orders/handlers/validate-order.ts': 448,
  'resolvers/orders/handlers/process-payment.ts': 448,
  'resolvers/orders/handlers/reserve-inventory.ts': 448,
  'resolvers/orders/handlers/confirm-order.ts': 448,
  'resolvers/orders/handlers/notify-customer.ts': 448,
  'resolvers/orders/handlers/release-inventory.ts': 448,
  'resolvers/orders/handlers/refund-payment.ts': 448,
  'resolvers/orders/handlers/mark-failed.ts': 448,
  'resolvers/orders/handlers/mark-needs-attention.ts': 448,
};

/** The budget of a function not yet in the table: the largest above. Give it its own. */
export const DEFAULT_BUNDLE_BUDGET_KIB = 824;

export function bundleBudgetKib(entry: string): number {
  return BUNDLE_BUDGETS_KIB[entry] ?? DEFAULT_BUNDLE_BUDGET_KIB;
}
