/**
 * The field -> function mapping of the template (FILES_API_FIELDS, FILE_CHANGES_API_FIELDS)
 * against the routers of the two handlers: each function resolves exactly the fields AppSync
 * sends it, so a field moved in one place and not the other fails here, not in production.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { FILE_CHANGES_API_FIELDS, FILES_API_FIELDS } from '../../infra/constructs/graphql-api.js';
import { createFileChangesApi, createFilesApi, type FilesApiHandler } from '../../resolvers/files/handlers/files-routers.js';
import type { FileChangesService, FilesService } from '../../resolvers/files/domain/files-service.js';
import { appSyncEvent, lambdaContext } from '../unit/resolvers/helpers/factories.js';

const RESOLVED = 'resolved by this function';

/** A service whose every method answers RESOLVED: the router's field mapping is all that is tested. */
function stub<T extends object>(): T {
  return new Proxy({}, { get: () => () => Promise.resolve(RESOLVED) }) as T;
}

const logger = new Logger({ logLevel: 'SILENT' });
const apis: [string, FilesApiHandler, readonly { typeName: string; fieldName: string }[]][] = [
  ['files API', createFilesApi(() => stub<FilesService>(), logger), FILES_API_FIELDS],
  ['file changes API', createFileChangesApi(() => stub<FileChangesService>(), logger), FILE_CHANGES_API_FIELDS],
];
const allFields = [...FILES_API_FIELDS, ...FILE_CHANGES_API_FIELDS];

describe.each(apis)('the %s handler', (_name, handler, fields) => {
  it.each(allFields)('given $typeName $fieldName, then it resolves it exactly when the template routes it here', async ({ typeName, fieldName }) => {
    const result = handler(appSyncEvent(typeName, fieldName, { id: 'x', input: {} }), lambdaContext());
    if (fields.some((field) => field.typeName === typeName && field.fieldName === fieldName)) {
      await expect(result).resolves.toBe(RESOLVED);
    } else {
      await expect(result).rejects.toMatchObject({ name: 'InternalError' });
    }
  });
});
