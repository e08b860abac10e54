/**
 * The files API's fields, registered one by one on Powertools Routers, typed by the generated
 * resolver types. Each resolver only extracts the caller and delegates to a service. Two
 * Lambdas share them (infra/constructs/graphql-api.ts): the files API (the reads and
 * createUpload, which only sign URLs) and the file changes API (reprocessFile and deleteFile,
 * which call S3), so the latency-critical one carries no S3 client to compile at cold start.
 */
import { Router } from '@aws-lambda-powertools/event-handler/appsync-graphql';
import type { MutationResolvers, QueryResolvers } from '../../generated/graphql.js';
import type { FileChangesService, FilesService } from '../domain/files-service.js';
import { type Logger, correlationIdOf } from '../../shared/logger.js';
import { type ApiHandler, type FieldResolver, createApiHandler, guarded, ownerOf } from '../../shared/guarded-resolver.js';

/** Query.file, Query.files, Query.uploadPolicy and Mutation.createUpload. */
export function filesRouter(service: () => FilesService, logger?: Logger): Router {
  const router = new Router(logger === undefined ? undefined : { logger });

  const file: FieldResolver<QueryResolvers['file']> = ({ id }, { event }) =>
    service().getFile(ownerOf(event), id);

  const files: FieldResolver<QueryResolvers['files']> = (args, { event }) =>
    service().listFiles(ownerOf(event), args);

  const uploadPolicy: FieldResolver<QueryResolvers['uploadPolicy']> = () => service().uploadPolicy();

  const createUpload: FieldResolver<MutationResolvers['createUpload']> = ({ input }, { event, context }) =>
    service().createUpload(ownerOf(event), input, correlationIdOf(event, context));

  router.onQuery('file', guarded(file));
  router.onQuery('files', guarded(files));
  router.onQuery('uploadPolicy', guarded(uploadPolicy));
  router.onMutation('createUpload', guarded(createUpload));
  return router;
}

/** Mutation.reprocessFile and Mutation.deleteFile. */
export function fileChangesRouter(service: () => FileChangesService, logger?: Logger): Router {
  const router = new Router(logger === undefined ? undefined : { logger });

  const reprocessFile: FieldResolver<MutationResolvers['reprocessFile']> = ({ id }, { event, context }) =>
    service().reprocessFile(ownerOf(event), id, correlationIdOf(event, context));

  const deleteFile: FieldResolver<MutationResolvers['deleteFile']> = ({ id }, { event }) =>
    service().deleteFile(ownerOf(event), id);

  router.onMutation('reprocessFile', guarded(reprocessFile));
  router.onMutation('deleteFile', guarded(deleteFile));
  return router;
}

export type FilesApiHandler = ApiHandler;

/** The files API Lambda's whole behaviour, with its service injected (tests pass in-memory ports). */
export function createFilesApi(service: () => FilesService, logger: Logger): FilesApiHandler {
  return createApiHandler(filesRouter(service, logger), logger);
}

/** The file changes API Lambda's whole behaviour, with its service injected. */
export function createFileChangesApi(service: () => FileChangesService, logger: Logger): FilesApiHandler {
  return createApiHandler(fileChangesRouter(service, logger), logger);
}
