/**
 * `@aws-appsync/utils/dynamodb`: the request builders AppSync's APPSYNC_JS runtime provides for
 * DynamoDB (`get`, `put`, `remove`, `update`, `query`, `scan`, `batchGet`, `batchPut`,
 * `batchDelete`, `transactGet`, `transactWrite`, `operations`). Each returns the request object
 * a resolver's request handler hands the data source. `sync` builds a Sync request, which the
 * local DynamoDB data source refuses (no conflict detection locally).
 */
import { toAttributeValue, toMapValues } from './dynamodb-values.js';
import { toDynamoDBExpression } from './util/transform.js';

type Item = Record<string, unknown>;

const condition = (input: Item | undefined) => (input ? (toDynamoDBExpression(input, toAttributeValue) ?? undefined) : undefined);
const defined = (record: Item): Item => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));

interface Operation {
  readonly _type: 'add' | 'remove' | 'replace' | 'increment' | 'decrement' | 'append' | 'prepend' | 'updateListItem';
  readonly payload?: unknown;
  readonly by?: number;
  readonly index?: number;
}

export const operations = {
  add: (payload: unknown): Operation => ({ _type: 'add', payload }),
  remove: (): Operation => ({ _type: 'remove' }),
  replace: (payload: unknown): Operation => ({ _type: 'replace', payload }),
  increment: (by = 1): Operation => ({ _type: 'increment', by }),
  decrement: (by = 1): Operation => ({ _type: 'decrement', by }),
  append: (payload: unknown): Operation => ({ _type: 'append', payload }),
  prepend: (payload: unknown): Operation => ({ _type: 'prepend', payload }),
  updateListItem: (payload: unknown, index: number): Operation => ({ _type: 'updateListItem', payload, index }),
};

const isOperation = (value: unknown): value is Operation =>
  value !== null && typeof value === 'object' && typeof (value as { _type?: unknown })._type === 'string';

/** An update object (`{title: 'x', views: operations.increment()}`) as SET/ADD/REMOVE clauses. */
function updateExpression(update: Item) {
  const set: string[] = [];
  const add: string[] = [];
  const remove: string[] = [];
  const expressionNames: Record<string, string> = {};
  const expressionValues: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(update)) {
    const name = `#${field}`;
    const placeholder = `:${field}`;
    expressionNames[name] = field;
    const bind = (v: unknown) => {
      expressionValues[placeholder] = toAttributeValue(v);
      return placeholder;
    };
    if (!isOperation(value)) {
      set.push(`${name} = ${bind(value)}`);
      continue;
    }
    switch (value._type) {
      case 'remove':
        remove.push(name);
        break;
      case 'increment':
        set.push(`${name} = if_not_exists(${name}, :zero_${field}) + ${bind(value.by)}`);
        expressionValues[`:zero_${field}`] = { N: '0' };
        break;
      case 'decrement':
        set.push(`${name} = if_not_exists(${name}, :zero_${field}) - ${bind(value.by)}`);
        expressionValues[`:zero_${field}`] = { N: '0' };
        break;
      case 'append':
        set.push(`${name} = list_append(if_not_exists(${name}, :empty_${field}), ${bind(value.payload)})`);
        expressionValues[`:empty_${field}`] = { L: [] };
        break;
      case 'prepend':
        set.push(`${name} = list_append(${bind(value.payload)}, if_not_exists(${name}, :empty_${field}))`);
        expressionValues[`:empty_${field}`] = { L: [] };
        break;
      case 'updateListItem':
        set.push(`${name}[${value.index ?? 0}] = ${bind(value.payload)}`);
        break;
      case 'add':
        if (Array.isArray(value.payload) || (value.payload !== null && typeof value.payload === 'object')) set.push(`${name} = ${bind(value.payload)}`);
        else add.push(`${name} ${bind(value.payload)}`);
        break;
      case 'replace':
        set.push(`${name} = ${bind(value.payload)}`);
        break;
    }
  }
  const clauses = [
    set.length > 0 ? `SET ${set.join(', ')}` : '',
    add.length > 0 ? `ADD ${add.join(', ')}` : '',
    remove.length > 0 ? `REMOVE ${remove.join(', ')}` : '',
  ].filter(Boolean);
  return { expression: clauses.join(' '), expressionNames, expressionValues };
}

/** A key condition (`{authorId: {eq: 'a'}, createdAt: {gt: 't'}}`): eq, lt, le, gt, ge, between, beginsWith. */
function keyCondition(query: Item) {
  return toDynamoDBExpression(query, toAttributeValue) ?? undefined;
}

interface ListInput {
  readonly filter?: Item;
  readonly index?: string;
  readonly limit?: number;
  readonly nextToken?: string;
  readonly consistentRead?: boolean;
  readonly select?: string;
  readonly projection?: readonly string[];
}

const projectionOf = (fields: readonly string[] | undefined) =>
  fields && fields.length > 0
    ? { expression: fields.map((f) => `#${f}`).join(', '), expressionNames: Object.fromEntries(fields.map((f) => [`#${f}`, f])) }
    : undefined;

export const dynamodbModule = Object.freeze({
  operations: Object.freeze(operations),
  get: (input: { key: Item; consistentRead?: boolean; projection?: string[] }) =>
    defined({ operation: 'GetItem', key: toMapValues(input.key), consistentRead: input.consistentRead, projection: projectionOf(input.projection) }),
  put: (input: { key: Item; item: Item; condition?: Item }) =>
    defined({ operation: 'PutItem', key: toMapValues(input.key), attributeValues: toMapValues(input.item), condition: condition(input.condition) }),
  remove: (input: { key: Item; condition?: Item }) =>
    defined({ operation: 'DeleteItem', key: toMapValues(input.key), condition: condition(input.condition) }),
  update: (input: { key: Item; update: Item; condition?: Item }) =>
    defined({ operation: 'UpdateItem', key: toMapValues(input.key), update: updateExpression(input.update), condition: condition(input.condition) }),
  query: (input: ListInput & { query: Item; scanIndexForward?: boolean }) =>
    defined({
      operation: 'Query',
      query: keyCondition(input.query),
      filter: condition(input.filter),
      index: input.index,
      limit: input.limit,
      nextToken: input.nextToken,
      scanIndexForward: input.scanIndexForward,
      consistentRead: input.consistentRead,
      select: input.select,
      projection: projectionOf(input.projection),
    }),
  scan: (input: ListInput & { segment?: number; totalSegments?: number } = {}) =>
    defined({
      operation: 'Scan',
      filter: condition(input.filter),
      index: input.index,
      limit: input.limit,
      nextToken: input.nextToken,
      consistentRead: input.consistentRead,
      segment: input.segment,
      totalSegments: input.totalSegments,
      select: input.select,
      projection: projectionOf(input.projection),
    }),
  sync: (input: Item = {}) => defined({ operation: 'Sync', ...input }),
  batchGet: (input: { tables: Record<string, { keys: Item[]; consistentRead?: boolean } | Item[]> }) => ({
    operation: 'BatchGetItem',
    tables: Object.fromEntries(
      Object.entries(input.tables).map(([table, spec]) => {
        const keys = Array.isArray(spec) ? spec : spec.keys;
        return [table, defined({ keys: keys.map((k) => toMapValues(k)), consistentRead: Array.isArray(spec) ? undefined : spec.consistentRead })];
      }),
    ),
  }),
  batchPut: (input: { tables: Record<string, Item[]> }) => ({
    operation: 'BatchPutItem',
    tables: Object.fromEntries(Object.entries(input.tables).map(([table, items]) => [table, items.map((i) => toMapValues(i))])),
  }),
  batchDelete: (input: { tables: Record<string, Item[]> }) => ({
    operation: 'BatchDeleteItem',
    tables: Object.fromEntries(Object.entries(input.tables).map(([table, keys]) => [table, keys.map((k) => toMapValues(k))])),
  }),
  transactGet: (input: { items: { table: string; key: Item }[] }) => ({
    operation: 'TransactGetItems',
    transactItems: input.items.map((i) => ({ table: i.table, key: toMapValues(i.key) })),
  }),
  transactWrite: (input: { items: ({ table: string; operation: string; key: Item; item?: Item; update?: Item; condition?: Item })[] }) => ({
    operation: 'TransactWriteItems',
    transactItems: input.items.map((i) =>
      defined({
        table: i.table,
        operation: i.operation,
        key: toMapValues(i.key),
        attributeValues: i.item ? toMapValues(i.item) : undefined,
        update: i.update ? updateExpression(i.update) : undefined,
        condition: condition(i.condition),
      }),
    ),
  }),
});
