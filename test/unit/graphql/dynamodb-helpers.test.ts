import { describe, expect, it } from 'vitest';
import { newEffects, callHandler } from '../../../local/graphql/appsync-js.js';
import { loadResolverCode } from '../../../local/graphql-adapters/resolver-code.js';
import { dynamodbModule as ddb } from '../../../local/graphql/js-dynamodb.js';

/**
 * `@aws-appsync/utils/dynamodb`: the request objects its builders hand the DynamoDB data source,
 * for the inputs its documentation shows (a key, an item, a condition on the owner, update
 * operations, a key condition on an index).
 */
describe('@aws-appsync/utils/dynamodb', () => {
  it('given get and put with a condition on the owner, when built, then keys and items are typed and the condition names its field', () => {
    expect(ddb.get({ key: { id: 1 } })).toEqual({ operation: 'GetItem', key: { id: { N: '1' } } });
    expect(ddb.put({ key: { id: 't1' }, item: { title: 'x', isComplete: false }, condition: { owner: { eq: 'me' } } })).toEqual({
      operation: 'PutItem',
      key: { id: { S: 't1' } },
      attributeValues: { title: { S: 'x' }, isComplete: { BOOL: false } },
      condition: { expression: '#owner = :owner_eq', expressionNames: { '#owner': 'owner' }, expressionValues: { ':owner_eq': { S: 'me' } } },
    });
    expect(ddb.remove({ key: { id: 't1' } })).toEqual({ operation: 'DeleteItem', key: { id: { S: 't1' } } });
  });

  it('given update operations, when built, then SET, ADD and REMOVE clauses carry them', () => {
    const request = ddb.update({
      key: { id: 1 },
      update: { title: 'new', views: ddb.operations.increment(2), old: ddb.operations.remove(), tags: ddb.operations.append(['a']) },
    }) as { operation: string; update: { expression: string; expressionNames: Record<string, string>; expressionValues: Record<string, unknown> } };
    expect(request.operation).toBe('UpdateItem');
    expect(request.update.expression).toBe(
      'SET #title = :title, #views = if_not_exists(#views, :zero_views) + :views, #tags = list_append(if_not_exists(#tags, :empty_tags), :tags) REMOVE #old',
    );
    expect(request.update.expressionValues).toEqual({ ':title': { S: 'new' }, ':views': { N: '2' }, ':zero_views': { N: '0' }, ':tags': { L: [{ S: 'a' }] }, ':empty_tags': { L: [] } });
  });

  it('given a query on an index with a filter and paging, when built, then the key condition and the rest pass through', () => {
    expect(ddb.query({ query: { authorId: { eq: 'a1' }, createdAt: { beginsWith: '2026' } }, index: 'byAuthor', limit: 5, nextToken: 't', scanIndexForward: false, filter: { draft: { ne: true } } })).toEqual({
      operation: 'Query',
      index: 'byAuthor',
      limit: 5,
      nextToken: 't',
      scanIndexForward: false,
      query: {
        expression: '(#authorId = :authorId_eq) AND (begins_with(#createdAt, :createdAt_beginsWith))',
        expressionNames: { '#authorId': 'authorId', '#createdAt': 'createdAt' },
        expressionValues: { ':authorId_eq': { S: 'a1' }, ':createdAt_beginsWith': { S: '2026' } },
      },
      filter: { expression: '#draft <> :draft_ne', expressionNames: { '#draft': 'draft' }, expressionValues: { ':draft_ne': { BOOL: true } } },
    });
    expect(ddb.scan({ limit: 2 })).toEqual({ operation: 'Scan', limit: 2 });
  });

  it('given resolver code importing the module, when it runs, then the request comes from the same builders', () => {
    const module = loadResolverCode(
      "import { get } from '@aws-appsync/utils/dynamodb';\nexport function request(ctx) { return get({ key: { id: ctx.args.id } }); }\nexport function response(ctx) { return ctx.result; }",
      'Query.item',
    );
    expect(callHandler(module.request, { args: { id: 'x' } }, newEffects()).value).toEqual({ operation: 'GetItem', key: { id: { S: 'x' } } });
  });
});
