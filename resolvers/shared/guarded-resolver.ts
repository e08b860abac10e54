/**
 * Powertools' AppSyncGraphQLResolver routes fields well, but it catches a resolver's error and
 * RETURNS it as data (`{ error: "Name - message" }`), which AppSync would hand to the client as
 * the field's value. Here every registered resolver is wrapped so that its error is caught into
 * a sentinel, and `resolveOrThrow` rethrows it (mapped by `toPublicError`), so the invocation
 * fails and AppSync reports a GraphQL error whose `errorType` is the error's name.
 */
import { AppSyncGraphQLResolver, type Router } from '@aws-lambda-powertools/event-handler/appsync-graphql';
import type { AppSyncResolverEvent, Context } from 'aws-lambda';
import { type ErrorLog, InternalError, UnauthorizedException, toPublicError } from './errors.js';
import { type Logger, correlationIdOf } from './logger.js';

/** What a guarded resolver returns instead of throwing. Never leaves this module's callers. */
class ResolverFailure {
  constructor(readonly error: unknown) {}
}

export interface ResolverOptions<TArgs> {
  readonly event: AppSyncResolverEvent<TArgs>;
  readonly context: Context;
}

export type ResolverFn<TArgs, TResult> = (
  args: TArgs,
  options: ResolverOptions<TArgs>,
) => Promise<TResult> | TResult;

/** The function type inside a generated `Resolver<...>` (which may also be `{ resolve }`). */
type GeneratedFn<R> = Extract<NonNullable<R>, (...args: never[]) => unknown>;
/** A Powertools resolver for the schema field whose generated resolver type is R. */
export type FieldResolver<R> = ResolverFn<Parameters<GeneratedFn<R>>[1], Awaited<ReturnType<GeneratedFn<R>>>>;

export type ApiHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * A direct Lambda resolver entry over one domain's router: every log line carries the Lambda
 * context, the correlation id and the field being resolved; errors leave as GraphQL errors.
 */
export function createApiHandler(router: Router, logger: Logger): ApiHandler {
  const app = new AppSyncGraphQLResolver({ logger });
  app.includeRouter(router);
  return async (event, context) => {
    logger.addContext(context);
    logger.setCorrelationId(correlationIdOf(event, context));
    const info = (event as { info?: { parentTypeName?: unknown; fieldName?: unknown } } | null)?.info;
    logger.appendKeys({ field: `${String(info?.parentTypeName)}.${String(info?.fieldName)}` });
    try {
      return await resolveOrThrow(app, event, context, logger);
    } finally {
      logger.resetKeys();
    }
  };
}

/** Wraps a resolver so that a thrown error becomes a ResolverFailure (and undefined, null). */
export function guarded<TArgs, TResult>(
  fn: ResolverFn<TArgs, TResult>,
): (args: TArgs, options: ResolverOptions<TArgs>) => Promise<TResult | null | ResolverFailure> {
  return async (args, options) => {
    try {
      return (await fn(args, options)) ?? null;
    } catch (error) {
      return new ResolverFailure(error);
    }
  };
}

/**
 * Runs the app and either returns the field's value or throws the public error. An unknown
 * field (Powertools throws ResolverNotFoundException) or an event that is not an AppSync
 * resolver event (Powertools returns undefined) also throws.
 */
export async function resolveOrThrow(
  app: AppSyncGraphQLResolver,
  event: unknown,
  context: Context,
  log: ErrorLog,
): Promise<unknown> {
  let result: unknown;
  try {
    result = await app.resolve(event, context);
  } catch (error) {
    throw toPublicError(error, log);
  }
  if (result instanceof ResolverFailure) throw toPublicError(result.error, log);
  if (result === undefined) {
    log.error('The event is not an AppSync direct Lambda resolver event');
    throw new InternalError();
  }
  return result;
}

/** The caller's user id: `identity.sub` (user pools or OIDC). Anyone else is refused. */
export function ownerOf(event: { identity?: unknown }): string {
  const identity = event.identity;
  if (typeof identity === 'object' && identity !== null && 'sub' in identity) {
    const sub = (identity as { sub: unknown }).sub;
    if (typeof sub === 'string' && sub !== '') return sub;
  }
  throw new UnauthorizedException();
}
