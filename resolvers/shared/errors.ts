/**
 * The errors both domains build on, and the one place that decides what a GraphQL caller sees.
 *
 * A direct Lambda resolver that throws makes AppSync answer with a GraphQL error whose
 * `errorType` is the error's `name` and whose `message` is its message. Only the classes in
 * `PUBLIC_ERRORS` (and their subclasses: each domain's own API errors) reach callers as they
 * are; anything else becomes an `InternalError` with a fixed message (the details go to the log
 * under the correlation id). Each domain's other errors are in its domain/errors.ts.
 */

/** The input breaks a documented rule; the message says which field and why. */
export class ValidationError extends Error {
  override name = 'ValidationError';
}

/** The thing asked for does not exist (or is not the caller's, which reads the same). */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/**
 * The caller is not allowed to do this. AppSync replaces the message of an error of this
 * type with "You are not authorized to make this call."
 */
export class UnauthorizedException extends Error {
  override name = 'UnauthorizedException';
  constructor(message = 'You are not authorized to make this call.', options?: ErrorOptions) {
    super(message, options);
  }
}

export const INTERNAL_ERROR_MESSAGE = 'An internal error occurred';

/** What callers see for every failure that is not theirs to fix. */
export class InternalError extends Error {
  override name = 'InternalError';
  constructor(options?: ErrorOptions) {
    super(INTERNAL_ERROR_MESSAGE, options);
  }
}

/** A required setting (environment variable) is missing or malformed. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

// ---------------------------------------------------------------------------------------------
// Mapping to what a GraphQL caller sees. The ONE place that decides.
// ---------------------------------------------------------------------------------------------

/** Errors whose name and message are meant for callers. */
const PUBLIC_ERRORS = [ValidationError, NotFoundError, UnauthorizedException, InternalError];

export interface ErrorLog {
  error(message: string, ...extra: unknown[]): void;
}

/**
 * Turns anything thrown while resolving a field into the error the Lambda rethrows: public
 * errors pass through unchanged; everything else is logged (with its stack and cause, under
 * the logger's correlation id) and replaced by an `InternalError` whose message leaks nothing.
 */
export function toPublicError(error: unknown, log: ErrorLog): Error {
  if (PUBLIC_ERRORS.some((type) => error instanceof type)) {
    return error as Error;
  }
  log.error('Unexpected error while resolving a field', { error: describeError(error) });
  return new InternalError({ cause: error });
}

/** A plain, loggable description of any thrown value (the Powertools logger formats Errors). */
export function describeError(error: unknown): unknown {
  if (error instanceof Error) return error;
  return { name: 'NonError', message: String(error) };
}
