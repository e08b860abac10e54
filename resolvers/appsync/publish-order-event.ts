/**
 * Mutation.publishOrderEvent: an APPSYNC_JS unit resolver on a NONE data source. The orders
 * backend (IAM) calls it to announce a step of an order's fulfilment; the result is the event
 * itself, which AppSync then pushes to the matching `onOrderEvent` subscriptions.
 */
import { util, type Context, type NONERequest } from '@aws-appsync/utils';
import type { MutationPublishOrderEventArgs, OrderEvent } from '../generated/graphql.js';

export function request(ctx: Context<MutationPublishOrderEventArgs>): NONERequest {
  return { payload: { ...ctx.arguments.input, at: util.time.nowISO8601() } };
}

export function response(ctx: Context<MutationPublishOrderEventArgs, Record<string, unknown>, undefined, undefined, OrderEvent>): OrderEvent {
  return ctx.result;
}
