import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { fromItem } from './dynamodb-values.js';
import { MULTI_ITEM_OPERATIONS, type MultiItemRequest, runMultiItem } from './dynamodb-multi.js';
import { toWireFormat } from './util/dynamodb.js';
import type { DataSourceOutcome, DynamoDbBackend } from './data-sources/types.js';

/**
 * The AMAZON_DYNAMODB data source of APPSYNC_JS resolvers: the request object a resolver returns
 * (`{operation: 'GetItem', key}` ...) run against DynamoDB Local, the result shaped as AppSync
 * hands it to the response handler, and a failure as `ctx.error` `{message, type}` with type
 * `DynamoDB:<exception>`.
 */

interface Expression {
  readonly expression: string;
  readonly expressionNames?: Record<string, string>;
  readonly expressionValues?: Record<string, AttributeValue>;
}

export interface DynamoDbRequest {
  readonly operation: string;
  readonly key?: Record<string, AttributeValue>;
  readonly attributeValues?: Record<string, AttributeValue>;
  readonly condition?: Expression;
  readonly update?: Expression;
  readonly query?: Expression;
  readonly filter?: Expression;
  readonly index?: string;
  readonly limit?: number;
  readonly nextToken?: string;
  readonly scanIndexForward?: boolean;
  readonly consistentRead?: boolean;
}

/** A request AppSync would reject before calling DynamoDB. */
export class DynamoDbRequestError extends Error {
  override readonly name = 'DynamoDbRequestError';
}

const names = (...expressions: (Expression | undefined)[]) => {
  const merged = Object.assign({}, ...expressions.map((e) => e?.expressionNames ?? {})) as Record<string, string>;
  return Object.keys(merged).length > 0 ? merged : undefined;
};
const values = (...expressions: (Expression | undefined)[]) => {
  const merged = Object.assign({}, ...expressions.map((e) => e?.expressionValues ?? {})) as Record<string, AttributeValue>;
  return Object.keys(merged).length > 0 ? merged : undefined;
};
const expressionParts = (...expressions: (Expression | undefined)[]) => {
  const n = names(...expressions);
  const v = values(...expressions);
  return { ...(n ? { ExpressionAttributeNames: n } : {}), ...(v ? { ExpressionAttributeValues: v } : {}) };
};

const encodeToken = (key: Record<string, AttributeValue> | undefined) =>
  key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64') : null;
const decodeToken = (token: string | undefined): Record<string, AttributeValue> | undefined => {
  if (!token) return undefined;
  try {
    return JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, AttributeValue>;
  } catch {
    throw new DynamoDbRequestError('Invalid nextToken');
  }
};

export class DynamoDbSource implements DynamoDbBackend {
  readonly #client: DynamoDBClient;

  constructor(options: { readonly endpoint: string; readonly region: string }) {
    this.#client = new DynamoDBClient({
      endpoint: options.endpoint,
      region: options.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  close(): void {
    this.#client.destroy();
  }

  async run(tableName: string, raw: DynamoDbRequest): Promise<DataSourceOutcome> {
    // VTL's `$util.dynamodb` writes numbers as JSON numbers (`{"N": 1}`); DynamoDB wants strings.
    const request = toWireFormat(raw) as DynamoDbRequest;
    try {
      if (request.operation === 'Sync') {
        throw new DynamoDbRequestError('Sync is not supported by the local stack: it needs a versioned data source (conflict detection), which DynamoDB Local does not have');
      }
      if (MULTI_ITEM_OPERATIONS.has(request.operation)) {
        return { ok: true, result: await runMultiItem(this.#client, request as unknown as MultiItemRequest) };
      }
      return { ok: true, result: await this.#send(tableName, request) };
    } catch (error) {
      if (error instanceof DynamoDBServiceException) {
        return { ok: false, error: { message: error.message, type: `DynamoDB:${error.name}` } };
      }
      if (error instanceof DynamoDbRequestError) {
        return { ok: false, error: { message: error.message, type: 'DynamoDB:ValidationException' } };
      }
      throw error;
    }
  }

  async #send(TableName: string, request: DynamoDbRequest): Promise<unknown> {
    const key = () => {
      if (!request.key) throw new DynamoDbRequestError(`${request.operation} needs a key`);
      return request.key;
    };
    switch (request.operation) {
      case 'GetItem': {
        const out = await this.#client.send(new GetItemCommand({ TableName, Key: key(), ConsistentRead: request.consistentRead }));
        return fromItem(out.Item);
      }
      case 'PutItem': {
        const Item = { ...request.attributeValues, ...key() };
        await this.#client.send(
          new PutItemCommand({
            TableName,
            Item,
            ...(request.condition ? { ConditionExpression: request.condition.expression, ...expressionParts(request.condition) } : {}),
          }),
        );
        // AppSync returns the item as written.
        return fromItem(Item);
      }
      case 'UpdateItem': {
        if (!request.update) throw new DynamoDbRequestError('UpdateItem needs an update expression');
        const out = await this.#client.send(
          new UpdateItemCommand({
            TableName,
            Key: key(),
            UpdateExpression: request.update.expression,
            ...(request.condition ? { ConditionExpression: request.condition.expression } : {}),
            ...expressionParts(request.update, request.condition),
            ReturnValues: 'ALL_NEW',
          }),
        );
        return fromItem(out.Attributes);
      }
      case 'DeleteItem': {
        const out = await this.#client.send(
          new DeleteItemCommand({
            TableName,
            Key: key(),
            ...(request.condition ? { ConditionExpression: request.condition.expression, ...expressionParts(request.condition) } : {}),
            ReturnValues: 'ALL_OLD',
          }),
        );
        return fromItem(out.Attributes);
      }
      case 'Query': {
        if (!request.query) throw new DynamoDbRequestError('Query needs a query expression');
        const out = await this.#client.send(
          new QueryCommand({
            TableName,
            IndexName: request.index,
            KeyConditionExpression: request.query.expression,
            ...(request.filter ? { FilterExpression: request.filter.expression } : {}),
            ...expressionParts(request.query, request.filter),
            Limit: request.limit,
            ExclusiveStartKey: decodeToken(request.nextToken),
            ScanIndexForward: request.scanIndexForward,
            ConsistentRead: request.consistentRead,
          }),
        );
        return { items: (out.Items ?? []).map(fromItem), nextToken: encodeToken(out.LastEvaluatedKey), scannedCount: out.ScannedCount ?? 0 };
      }
      case 'Scan': {
        const out = await this.#client.send(
          new ScanCommand({
            TableName,
            IndexName: request.index,
            ...(request.filter ? { FilterExpression: request.filter.expression, ...expressionParts(request.filter) } : {}),
            Limit: request.limit,
            ExclusiveStartKey: decodeToken(request.nextToken),
            ConsistentRead: request.consistentRead,
          }),
        );
        return { items: (out.Items ?? []).map(fromItem), nextToken: encodeToken(out.LastEvaluatedKey), scannedCount: out.ScannedCount ?? 0 };
      }
      default:
        throw new DynamoDbRequestError(`Operation ${JSON.stringify(request.operation)} is not supported by the local DynamoDB data source`);
    }
  }
}
