/**
 * The filter every live-status subscription sets: a subscriber only ever receives events of
 * their own records. Bundled into each subscription resolver (at run time APPSYNC_JS imports
 * nothing but `@aws-appsync/utils`).
 */
import { extensions, util, type Identity } from '@aws-appsync/utils';

/**
 * The caller's `sub` (user pools and OIDC); IAM, API key and Lambda callers have none. Read
 * through a cast: APPSYNC_JS has no `in` operator to narrow the union with.
 */
export function callerSub(identity: Identity): string | undefined {
  const caller = identity as { readonly sub?: string } | null | undefined;
  return caller ? caller.sub : undefined;
}

/**
 * Enhanced filters take precedence over argument filtering, so the record id argument is
 * applied here too, AND-ed with the owner rule. An omitted or null id means all of the
 * caller's records.
 */
export function subscribeToOwnEvents(identity: Identity, idField: string, id: string | null | undefined): null {
  const sub = callerSub(identity);
  if (!sub) {
    util.unauthorized();
  }
  const filter: Record<string, { eq: string }> = { owner: { eq: sub as string } };
  if (id !== undefined && id !== null) {
    filter[idField] = { eq: id };
  }
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
}
