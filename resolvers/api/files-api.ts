/**
 * The files API's fields, registered one by one on a Powertools Router (one Router per domain),
 * typed by the generated resolver types. Each resolver only extracts the caller and delegates to
 * FilesService.
 */
import { Router } from '@aws-lambda-powertools/event-handler/appsync-graphql';
import type { MutationResolvers, QueryResolvers } from '../generated/graphql.js';
import type { FilesService } from '../files/files-service.js';
import { type Logger, correlationIdOf } from '../shared/logger.js';
import { type ApiHandler, type FieldResolver, createApiHandler, guarded, ownerOf } from './guarded-resolver.js';

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

export type FilesApiHandler = ApiHandler;

/** The whole Lambda behaviour, with its service injected (tests pass in-memory ports). */
export function createFilesApi(service: () => FilesService, logger: Logger): FilesApiHandler {
  return createApiHandler(filesRouter(service, logger), logger);
}
