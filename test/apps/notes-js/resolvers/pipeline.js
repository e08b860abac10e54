import { util } from '@aws-appsync/utils';

export function request(ctx) {
  ctx.stash.startedAt = util.time.nowISO8601();
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
