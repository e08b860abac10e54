/**
 * Mutation.publishOrderEvent: an APPSYNC_JS unit resolver on a NONE data source. The orders
 * backend (IAM) calls it to announce a step of an order's fulfilment; the result is the event
 * itself, which AppSync then pushes to the matching `onOrderEvent` subscriptions.
 */
import { util } from '@aws-appsync/utils';

/**
 * @param {import('@aws-appsync/utils').Context<{ input: Record<string, unknown> }>} ctx
 */
export function request(ctx) {
  return { payload: { ...ctx.arguments.input, at: util.time.nowISO8601() } };
}

/**
 * @param {import('@aws-appsync/utils').Context} ctx
 */
export function response(ctx) {
  return ctx.result;
}
