/**
 * Subscription.onOrderEvent: an APPSYNC_JS unit resolver on a NONE data source. It sets an
 * enhanced filter so that a subscriber only ever receives events of their own orders.
 *
 * Enhanced filters take precedence over argument filtering, so the `orderId` argument is
 * applied here too, AND-ed with the owner rule. An omitted or null `orderId` means all of the
 * caller's orders.
 */
import { util, extensions } from '@aws-appsync/utils';

export function request() {
  return { payload: null };
}

/**
 * @param {import('@aws-appsync/utils').Context<{ orderId?: string | null }>} ctx
 */
export function response(ctx) {
  const sub = ctx.identity && ctx.identity.sub;
  if (!sub) {
    util.unauthorized();
  }
  const filter = { owner: { eq: sub } };
  const orderId = ctx.args.orderId;
  if (orderId !== undefined && orderId !== null) {
    filter.orderId = { eq: orderId };
  }
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
}
