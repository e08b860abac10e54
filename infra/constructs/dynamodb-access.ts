/**
 * Least privilege on DynamoDB: for each function (by entry) and each table it is bound to (by
 * environment variable), the actions its code calls, and nothing else. `bindTable` grants these
 * where listed, instead of a read or read-write set (which hold Scan, BatchWrite, Delete, ...).
 *
 * A test (test/infra/least-privilege.test.ts) bundles each function's entry and fails when a
 * granted action is one no DynamoDB command in its bundle can perform: a grant never outgrows the
 * code. Narrowing below the bundle (a command the adapter has but this function never reaches) is
 * this table's job, method by method:
 */
export const DYNAMODB_ACTIONS_LIST = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'ConditionCheckItem',
] as const;
export type DynamoDbAction = (typeof DYNAMODB_ACTIONS_LIST)[number];

/** Every orders step reads its order and moves it with a conditional update. */
const ORDER_STEP: readonly DynamoDbAction[] = ['GetItem', 'UpdateItem'];
/**
 * The payment simulator's ledger: entries by order (Query), attempt counters (UpdateItem),
 * conditional records (PutItem, then GetItem of the one that won).
 */
const SIMULATOR_LEDGER: readonly DynamoDbAction[] = ['Query', 'PutItem', 'UpdateItem', 'GetItem'];
/** Powertools idempotency's DynamoDB persistence layer. */
const IDEMPOTENCY: readonly DynamoDbAction[] = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'];
/** Pipeline steps: read a file record and move it along (conditional updates). */
const PIPELINE_FILES: readonly DynamoDbAction[] = ['GetItem', 'UpdateItem'];

export const FUNCTION_DYNAMODB_ACTIONS: Readonly<Record<string, Readonly<Record<string, readonly DynamoDbAction[]>>>> = {
  // Files API: file (GetItem), files (Query on byOwner), createUpload (PutItem).
  'resolvers/files/handlers/files-api.ts': { FILES_TABLE: ['GetItem', 'Query', 'PutItem'] },
  // reprocessFile (GetItem, UpdateItem), deleteFile (DeleteItem returning the old record).
  'resolvers/files/handlers/file-changes-api.ts': { FILES_TABLE: ['GetItem', 'UpdateItem', 'DeleteItem'] },
  'resolvers/files/handlers/process-upload.ts': { FILES_TABLE: PIPELINE_FILES, IDEMPOTENCY_TABLE: IDEMPOTENCY },
  'resolvers/files/handlers/make-thumbnails.ts': { FILES_TABLE: PIPELINE_FILES, IDEMPOTENCY_TABLE: IDEMPOTENCY },
  'resolvers/files/handlers/notify.ts': { FILES_TABLE: PIPELINE_FILES },
  'resolvers/files/handlers/dead-letters.ts': { FILES_TABLE: PIPELINE_FILES, IDEMPOTENCY_TABLE: IDEMPOTENCY },
  // Orders API: order (GetItem), orders / pendingApprovals (Query on the indexes), placeOrder
  // (PutItem), cancelOrder and the approvals (UpdateItem); products (Scan by page, BatchGetItem
  // of an order's skus); the payment simulator's record of an order (Query) and the payment it
  // prepares when the order is placed (a conditional PutItem, then GetItem of the one that won).
  'resolvers/orders/handlers/orders-api.ts': {
    ORDERS_TABLE: ['GetItem', 'Query', 'PutItem', 'UpdateItem'],
    PRODUCTS_TABLE: ['Scan', 'BatchGetItem'],
    PAYMENTS_TABLE: ['Query', 'PutItem', 'GetItem'],
  },
  'resolvers/orders/handlers/validate-order.ts': { ORDERS_TABLE: ORDER_STEP, PRODUCTS_TABLE: ['BatchGetItem'] },
  'resolvers/orders/handlers/request-approval.ts': { ORDERS_TABLE: ORDER_STEP },
  'resolvers/orders/handlers/process-payment.ts': { ORDERS_TABLE: ORDER_STEP, PAYMENTS_TABLE: SIMULATOR_LEDGER },
  // The reservation is one transaction: the order and each product updated (UpdateItem); a
  // shortage is explained from the products' stock (BatchGetItem).
  'resolvers/orders/handlers/reserve-inventory.ts': { ORDERS_TABLE: ORDER_STEP, PRODUCTS_TABLE: ['UpdateItem', 'BatchGetItem'] },
  'resolvers/orders/handlers/confirm-order.ts': { ORDERS_TABLE: ORDER_STEP },
  'resolvers/orders/handlers/notify-customer.ts': { ORDERS_TABLE: ORDER_STEP },
  'resolvers/orders/handlers/record-sale.ts': { ORDERS_TABLE: ORDER_STEP, PRODUCTS_TABLE: ['UpdateItem'] },
  'resolvers/orders/handlers/release-inventory.ts': { ORDERS_TABLE: ORDER_STEP, PRODUCTS_TABLE: ['UpdateItem'] },
  'resolvers/orders/handlers/refund-payment.ts': { ORDERS_TABLE: ORDER_STEP, PAYMENTS_TABLE: SIMULATOR_LEDGER },
  'resolvers/orders/handlers/mark-failed.ts': { ORDERS_TABLE: ORDER_STEP },
  'resolvers/orders/handlers/mark-needs-attention.ts': { ORDERS_TABLE: ORDER_STEP },
};

export const dynamoDbActionsOf = (entry: string, envName: string): readonly DynamoDbAction[] | undefined =>
  FUNCTION_DYNAMODB_ACTIONS[entry]?.[envName];
