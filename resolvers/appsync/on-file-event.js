/**
 * Subscription.onFileEvent: an APPSYNC_JS unit resolver on a NONE data source. It sets an
 * enhanced filter so that a subscriber only ever receives events of their own files.
 *
 * Enhanced filters take precedence over argument filtering, so the `fileId` argument is
 * applied here too, AND-ed with the owner rule. An omitted or null `fileId` means all of the
 * caller's files.
 */
import { util, extensions } from '@aws-appsync/utils';

export function request() {
  return { payload: null };
}

/**
 * @param {import('@aws-appsync/utils').Context<{ fileId?: string | null }>} ctx
 */
export function response(ctx) {
  const sub = ctx.identity && ctx.identity.sub;
  if (!sub) {
    util.unauthorized();
  }
  const filter = { owner: { eq: sub } };
  const fileId = ctx.args.fileId;
  if (fileId !== undefined && fileId !== null) {
    filter.fileId = { eq: fileId };
  }
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
}
