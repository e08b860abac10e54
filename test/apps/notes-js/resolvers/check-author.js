import { util } from '@aws-appsync/utils';
import { get } from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
  return get({ key: { id: ctx.args.authorId } });
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  if (!ctx.result) util.error(`Author ${ctx.args.authorId} does not exist`, 'NotFound');
  ctx.stash.author = ctx.result;
  return ctx.result;
}
