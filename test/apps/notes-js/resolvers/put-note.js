import { util } from '@aws-appsync/utils';
import { put } from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
  const { authorId, title, body } = ctx.args;
  return put({
    key: { id: util.autoId() },
    item: { authorId, title, body, createdAt: ctx.stash.startedAt },
  });
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}
