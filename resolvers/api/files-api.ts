/**
 * The files API's fields, registered one by one on a Powertools Router (one Router per domain),
 * typed by the generated resolver types. Each resolver only extracts the caller and delegates to
 * FilesService.
 */
import { AppSyncGraphQLResolver, Router } from '@aws-lambda-powertools/event-handler/appsync-graphql';
import type { Context } from 'aws-lambda';
import type { MutationResolvers, QueryResolvers } from '../generated/graphql.js';
import type { FilesService } from '../files/files-service.js';
import type { Logger } from '../shared/logger.js';
import { correlationIdOf } from '../shared/logger.js';
import { type ResolverFn, guarded, ownerOf, resolveOrThrow } from './guarded-resolver.js';

/** The function type inside a generated `Resolver<...>` (which may also be `{ resolve }`). */
type GeneratedFn<R> = Extract<NonNullable<R>, (...args: never[]) => unknown>;
/** The arguments of a generated resolver type. */
type ArgsOf<R> = Parameters<GeneratedFn<R>>[1];
/** The value a generated resolver type resolves to. */
type ResultOf<R> = Awaited<ReturnType<GeneratedFn<R>>>;
/** A Powertools resolver for the schema field whose generated resolver type is R. */
type FieldResolver<R> = ResolverFn<ArgsOf<R>, ResultOf<R>>;

export function filesRouter(service: () => FilesService, logger?: Logger): Router {
  const router = new Router(logger === undefined ? undefined : { logger });

  const file: FieldResolver<QueryResolvers['file']> = ({ id }, { event }) =>
    service().getFile(ownerOf(event), id);

  const files: FieldResolver<QueryResolvers['files']> = (args, { event }) =>
    service().listFiles(ownerOf(event), args);

  const uploadPolicy: FieldResolver<QueryResolvers['uploadPolicy']> = () => service().uploadPolicy();

  const createUpload: FieldResolver<MutationResolvers['createUpload']> = ({ input }, { event, context }) =>
    service().createUpload(ownerOf(event), input, correlationIdOf(event, context));

  const reprocessFile: FieldResolver<MutationResolvers['reprocessFile']> = ({ id }, { event, context }) =>
    service().reprocessFile(ownerOf(event), id, correlationIdOf(event, context));

  const deleteFile: FieldResolver<MutationResolvers['deleteFile']> = ({ id }, { event }) =>
    service().deleteFile(ownerOf(event), id);

  router.onQuery('file', guarded(file));
  router.onQuery('files', guarded(files));
  router.onQuery('uploadPolicy', guarded(uploadPolicy));
  router.onMutation('createUpload', guarded(createUpload));
  router.onMutation('reprocessFile', guarded(reprocessFile));
  router.onMutation('deleteFile', guarded(deleteFile));
  return router;
}

export type FilesApiHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The whole Lambda behaviour, with its service injected (tests pass in-memory ports). */
export function createFilesApi(service: () => FilesService, logger: Logger): FilesApiHandler {
  const app = new AppSyncGraphQLResolver({ logger });
  app.includeRouter(filesRouter(service, logger));
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
