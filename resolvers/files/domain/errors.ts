/**
 * The files domain's own errors: why an upload was refused for good (each with the stable code
 * a FAILED file carries), and what the pipeline meets on the way. The errors callers see are the
 * shared public ones (resolvers/shared/errors.ts).
 */

// ---------------------------------------------------------------------------------------------
// Upload processing: permanent failures. Each carries a stable code that is stored on the file
// (`File.error.code`) and never changes meaning. Retrying cannot fix any of them.
// ---------------------------------------------------------------------------------------------

export type ProcessingErrorCode = 'UNSUPPORTED_TYPE' | 'SIZE_MISMATCH' | 'TOO_MANY_PIXELS' | 'CORRUPT_IMAGE' | 'EMPTY_FILE';

/** Base of the permanent upload-processing failures. */
export abstract class ProcessingError extends Error {
  abstract readonly code: ProcessingErrorCode;
}

/** A permanent failure named `name` with the stable `code`, and `message` unless another is given. */
function processingError<C extends ProcessingErrorCode>(name: string, code: C, message: string) {
  return class extends ProcessingError {
    override name = name;
    readonly code = code;
    constructor(detail = message, options?: ErrorOptions) {
      super(detail, options);
    }
  };
}

export class UnsupportedTypeError extends processingError('UnsupportedTypeError', 'UNSUPPORTED_TYPE', 'The file is not an image of a supported type.') {}

export class CorruptImageError extends processingError('CorruptImageError', 'CORRUPT_IMAGE', 'The image could not be decoded.') {}

export class EmptyFileError extends processingError('EmptyFileError', 'EMPTY_FILE', 'The upload is empty.') {}

export class SizeMismatchError extends ProcessingError {
  override name = 'SizeMismatchError';
  readonly code = 'SIZE_MISMATCH';
  constructor(
    readonly declaredBytes: number,
    readonly actualBytes: number,
    options?: ErrorOptions,
  ) {
    super(`The upload has ${actualBytes} bytes but ${declaredBytes} were declared.`, options);
  }
}

export class TooManyPixelsError extends ProcessingError {
  override name = 'TooManyPixelsError';
  readonly code = 'TOO_MANY_PIXELS';
  constructor(readonly maxPixels: number, options?: ErrorOptions) {
    super(`The image has more than ${maxPixels} pixels.`, options);
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

/** The object an event names is gone (deleted, or moved to quarantine by another step). */
export class ObjectNotFoundError extends Error {
  override name = 'ObjectNotFoundError';
  constructor(readonly key: string, options?: ErrorOptions) {
    super(`No object at ${key}`, options);
  }
}
