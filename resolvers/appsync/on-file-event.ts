/**
 * Subscription.onFileEvent: an APPSYNC_JS unit resolver on a NONE data source. It sets an
 * enhanced filter so that a subscriber only ever receives events of their own files.
 */
import type { Context, NONERequest } from '@aws-appsync/utils';
import type { SubscriptionOnFileEventArgs } from '../generated/graphql.js';
import { subscribeToOwnEvents } from './own-events.js';

export function request(): NONERequest {
  return { payload: null };
}

export function response(ctx: Context<SubscriptionOnFileEventArgs>): null {
  return subscribeToOwnEvents(ctx.identity, 'fileId', ctx.args.fileId);
}
