/**
 * Named errors of the files domain and the one place that decides what a caller may see.
 *
 * A direct Lambda resolver that throws makes AppSync answer with a GraphQL error whose
 * `errorType` is the error's `name` and whose `message` is its message. Only the classes in
 * `PUBLIC_ERRORS` reach callers as they are; anything else becomes an `InternalError` with a
 * fixed message (the details go to the log under the correlation id).
 */

/** The input breaks a documented rule; the message says which field and why. */
export class ValidationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ValidationError';
  }
}

/** The thing asked for does not exist (or is not the caller's, which reads the same). */
export class NotFoundError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

/**
 * The caller is not allowed to do this. AppSync replaces the message of an error of this
 * type with "You are not authorized to make this call."
 */
export class UnauthorizedException extends Error {
  constructor(message = 'You are not authorized to make this call.', options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnauthorizedException';
  }
}

export const INTERNAL_ERROR_MESSAGE = 'An internal error occurred';

/** What callers see for every failure that is not theirs to fix. */
export class InternalError extends Error {
  constructor(options?: ErrorOptions) {
    super(INTERNAL_ERROR_MESSAGE, options);
    this.name = 'InternalError';
  }
}

/** A required setting (environment variable) is missing or malformed. */
export class ConfigurationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

// ---------------------------------------------------------------------------------------------
// Upload processing: permanent failures. Each carries a stable code that is stored on the file
// (`File.error.code`) and never changes meaning. Retrying cannot fix any of them.
// ---------------------------------------------------------------------------------------------

export type ProcessingErrorCode =
  | 'UNSUPPORTED_TYPE'
  | 'SIZE_MISMATCH'
  | 'TOO_MANY_PIXELS'
  | 'CORRUPT_IMAGE'
  | 'EMPTY_FILE';

/** Base of the permanent upload-processing failures. */
export abstract class ProcessingError extends Error {
  abstract readonly code: ProcessingErrorCode;
}

export class UnsupportedTypeError extends ProcessingError {
  readonly code = 'UNSUPPORTED_TYPE';
  constructor(message = 'The file is not an image of a supported type.', options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnsupportedTypeError';
  }
}

export class SizeMismatchError extends ProcessingError {
  readonly code = 'SIZE_MISMATCH';
  constructor(
    readonly declaredBytes: number,
    readonly actualBytes: number,
    options?: ErrorOptions,
  ) {
    super(
      `The upload has ${actualBytes} bytes but ${declaredBytes} were declared.`,
      options,
    );
    this.name = 'SizeMismatchError';
  }
}

export class TooManyPixelsError extends ProcessingError {
  readonly code = 'TOO_MANY_PIXELS';
  constructor(readonly maxPixels: number, options?: ErrorOptions) {
    super(`The image has more than ${maxPixels} pixels.`, options);
    this.name = 'TooManyPixelsError';
  }
}

export class CorruptImageError extends ProcessingError {
  readonly code = 'CORRUPT_IMAGE';
  constructor(message = 'The image could not be decoded.', options?: ErrorOptions) {
    super(message, options);
    this.name = 'CorruptImageError';
  }
}

export class EmptyFileError extends ProcessingError {
  readonly code = 'EMPTY_FILE';
  constructor(options?: ErrorOptions) {
    super('The upload is empty.', options);
    this.name = 'EmptyFileError';
  }
}

// ---------------------------------------------------------------------------------------------
// Upload processing: failures that are not the file's fault. Retried by the queue; when the
// retries run out the message lands in the step's dead-letter queue and the DLQ consumer marks
// the file FAILED with this code.
// ---------------------------------------------------------------------------------------------

export const RETRIES_EXHAUSTED = 'RETRIES_EXHAUSTED';

/** Every code a FAILED file may carry. */
export type FileErrorCode = ProcessingErrorCode | typeof RETRIES_EXHAUSTED;

/**
 * A failure planted by the fault-injection module (shared/faults.ts) for tests and soak runs.
 * Transient by design: it is retried like a network error.
 */
export class InjectedFault extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InjectedFault';
  }
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

/** The object an event names is gone (deleted, or moved to quarantine by another step). */
export class ObjectNotFoundError extends Error {
  constructor(readonly key: string, options?: ErrorOptions) {
    super(`No object at ${key}`, options);
    this.name = 'ObjectNotFoundError';
  }
}
