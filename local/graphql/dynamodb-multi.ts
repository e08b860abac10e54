/**
 * The AMAZON_DYNAMODB operations over several items: BatchGetItem, BatchPutItem,
 * BatchDeleteItem, TransactGetItems and TransactWriteItems, requests and results in AppSync's
 * shapes (tables named as the request names them).
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { fromItem } from './dynamodb-values.js';

type Key = Record<string, AttributeValue>;

interface Expression {
  readonly expression: string;
  readonly expressionNames?: Record<string, string>;
  readonly expressionValues?: Record<string, AttributeValue>;
}

export interface MultiItemRequest {
  readonly operation: string;
  readonly tables?: Record<string, { keys?: Key[]; consistentRead?: boolean } | Key[]>;
  readonly transactItems?: {
    table: string;
    operation?: string;
    key: Key;
    attributeValues?: Key;
    update?: Expression;
    condition?: Expression;
  }[];
}

const parts = (...expressions: (Expression | undefined)[]) => {
  const names = Object.assign({}, ...expressions.map((e) => e?.expressionNames ?? {})) as Record<string, string>;
  const values = Object.assign({}, ...expressions.map((e) => e?.expressionValues ?? {})) as Key;
  return {
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
};

export const MULTI_ITEM_OPERATIONS = new Set(['BatchGetItem', 'BatchPutItem', 'BatchDeleteItem', 'TransactGetItems', 'TransactWriteItems']);

export async function runMultiItem(client: DynamoDBClient, request: MultiItemRequest): Promise<unknown> {
  const tables = request.tables ?? {};
  switch (request.operation) {
    case 'BatchGetItem': {
      const out = await client.send(
        new BatchGetItemCommand({
          RequestItems: Object.fromEntries(
            Object.entries(tables).map(([table, spec]) => [
              table,
              { Keys: Array.isArray(spec) ? spec : (spec.keys ?? []), ...(Array.isArray(spec) ? {} : { ConsistentRead: spec.consistentRead }) },
            ]),
          ),
        }),
      );
      return {
        data: Object.fromEntries(Object.keys(tables).map((t) => [t, (out.Responses?.[t] ?? []).map(fromItem)])),
        unprocessedKeys: Object.fromEntries(Object.keys(tables).map((t) => [t, (out.UnprocessedKeys?.[t]?.Keys ?? []).map(fromItem)])),
      };
    }
    case 'BatchPutItem':
    case 'BatchDeleteItem': {
      const put = request.operation === 'BatchPutItem';
      const out = await client.send(
        new BatchWriteItemCommand({
          RequestItems: Object.fromEntries(
            Object.entries(tables).map(([table, items]) => [
              table,
              (items as Key[]).map((item) => (put ? { PutRequest: { Item: item } } : { DeleteRequest: { Key: item } })),
            ]),
          ),
        }),
      );
      const unprocessed = (t: string) =>
        (out.UnprocessedItems?.[t] ?? []).map((r) => fromItem(put ? r.PutRequest?.Item : r.DeleteRequest?.Key));
      return {
        data: Object.fromEntries(Object.entries(tables).map(([t, items]) => [t, (items as Key[]).map(fromItem)])),
        [put ? 'unprocessedItems' : 'unprocessedKeys']: Object.fromEntries(Object.keys(tables).map((t) => [t, unprocessed(t)])),
      };
    }
    case 'TransactGetItems': {
      const out = await client.send(
        new TransactGetItemsCommand({ TransactItems: (request.transactItems ?? []).map((i) => ({ Get: { TableName: i.table, Key: i.key } })) }),
      );
      return { items: (out.Responses ?? []).map((r) => fromItem(r.Item)), cancellationReasons: null };
    }
    case 'TransactWriteItems': {
      const items = request.transactItems ?? [];
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: items.map((i): TransactWriteItem => {
            const condition = i.condition ? { ConditionExpression: i.condition.expression } : {};
            switch (i.operation) {
              case 'PutItem':
                return { Put: { TableName: i.table, Item: { ...i.attributeValues, ...i.key }, ...condition, ...parts(i.condition) } };
              case 'UpdateItem':
                return { Update: { TableName: i.table, Key: i.key, UpdateExpression: i.update?.expression ?? '', ...condition, ...parts(i.update, i.condition) } };
              case 'DeleteItem':
                return { Delete: { TableName: i.table, Key: i.key, ...condition, ...parts(i.condition) } };
              default:
                return { ConditionCheck: { TableName: i.table, Key: i.key, ConditionExpression: i.condition?.expression ?? '', ...parts(i.condition) } };
            }
          }),
        }),
      );
      return { keys: items.map((i) => fromItem(i.key)), cancellationReasons: null };
    }
    default:
      throw new Error(`Not a multi-item operation: ${request.operation}`);
  }
}
