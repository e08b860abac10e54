import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'Query',
    index: 'byAuthor',
    query: {
      expression: 'authorId = :authorId',
      expressionValues: util.dynamodb.toMapValues({ ':authorId': ctx.args.authorId }),
    },
    scanIndexForward: true,
    limit: ctx.args.limit ?? 20,
    nextToken: ctx.args.nextToken,
  };
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return { items: ctx.result.items, nextToken: ctx.result.nextToken };
}
