/**
 * Mutation.publishFileEvent: an APPSYNC_JS unit resolver on a NONE data source. The backend
 * (IAM) calls it to announce a step of a file's processing; the result is the event itself,
 * which AppSync then pushes to the matching `onFileEvent` subscriptions.
 */
import { util, type Context, type NONERequest } from '@aws-appsync/utils';
import type { FileEvent, MutationPublishFileEventArgs } from '../generated/graphql.js';

export function request(ctx: Context<MutationPublishFileEventArgs>): NONERequest {
  return { payload: { ...ctx.arguments.input, at: util.time.nowISO8601() } };
}

export function response(ctx: Context<MutationPublishFileEventArgs, Record<string, unknown>, undefined, undefined, FileEvent>): FileEvent {
  return ctx.result;
}
