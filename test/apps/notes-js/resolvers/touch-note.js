import { util } from '@aws-appsync/utils';
import { update, operations } from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
  return update({
    key: { id: ctx.args.id },
    update: { touches: operations.increment(1), touchedAt: util.time.nowEpochSeconds() },
    condition: { id: { attributeExists: true } },
  });
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}
