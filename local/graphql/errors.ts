import type { GraphQLError } from 'graphql';
import type { AppSyncError } from '../contracts.js';

/**
 * A field failed the way AppSync reports it: an `errorType`, a message and optional data and
 * errorInfo. Every failure inside the engine becomes one of these; `toAppSyncError` is the one
 * place that turns them into AppSync's wire shape.
 */
export class FieldError extends Error {
  override readonly name = 'FieldError';
  constructor(
    readonly errorType: string,
    message: string,
    readonly data: unknown = null,
    readonly errorInfo: unknown = null,
  ) {
    super(message);
  }
}

export const unauthorizedField = (typeName: string, fieldName: string) =>
  new FieldError('Unauthorized', `Not Authorized to access ${fieldName} on type ${typeName}`);

export const depthLimitReached = (limit: number) =>
  new FieldError('QueryDepthLimitReached', `Query depth limit of ${limit} reached`);

export const resolverLimitReached = (limit: number) =>
  new FieldError('ResolverExecutionLimitReached', `Resolver execution limit of ${limit} reached`);

/** A document that never ran: parse, validation and operation-selection errors. */
export const validationError = (message: string, at?: { readonly line: number; readonly column: number }): AppSyncError => ({
  path: null,
  locations: at ? [{ line: at.line, column: at.column, sourceName: null }] : [],
  message,
  errorType: 'ValidationError',
});

/** AppSync hides the message of a resolver's UnauthorizedException. */
const UNAUTHORIZED_MESSAGE = 'You are not authorized to make this call.';

export function toAppSyncError(error: GraphQLError): AppSyncError {
  const original = error.originalError;
  const locations = (error.locations ?? []).map((l) => ({ line: l.line, column: l.column, sourceName: null }));
  if (original instanceof FieldError) {
    return {
      path: error.path ?? [],
      data: original.data,
      errorType: original.errorType,
      errorInfo: original.errorInfo,
      locations,
      message: original.errorType === 'UnauthorizedException' ? UNAUTHORIZED_MESSAGE : original.message,
    };
  }
  if (error.path === undefined) {
    // Parse and validation errors: the document never ran.
    return { path: null, locations, message: error.message, errorType: 'ValidationError' };
  }
  return {
    path: error.path,
    data: null,
    errorType: original ? 'ExecutionError' : 'ValidationError',
    errorInfo: null,
    locations,
    message: error.message,
  };
}
