import { describe, expect, it } from 'vitest';
import {
  CorruptImageError,
  EmptyFileError,
  SizeMismatchError,
  TooManyPixelsError,
  UnsupportedTypeError,
} from '../../../resolvers/files/domain/errors.js';
import { INTERNAL_ERROR_MESSAGE, InternalError, NotFoundError, UnauthorizedException, ValidationError, toPublicError } from '../../../resolvers/shared/errors.js';
import { MemoryLog } from './helpers/fakes.js';

describe('toPublicError', () => {
  it.each([
    new ValidationError('limit must be an integer from 1 to 100'),
    new NotFoundError('no such file'),
    new UnauthorizedException(),
  ])('given the public error %s, when mapped, then it passes unchanged and nothing is logged', (error) => {
    const log = new MemoryLog();
    expect(toPublicError(error, log)).toBe(error);
    expect(log.entries).toEqual([]);
  });

  it('given an SDK-like error with internals, when mapped, then InternalError with a fixed message, the original logged', () => {
    const log = new MemoryLog();
    const sdkError = Object.assign(new Error('User: arn:aws:sts::123:assumed-role/x is not authorized on table files-prod'), {
      name: 'AccessDeniedException',
    });
    const mapped = toPublicError(sdkError, log);
    expect(mapped).toBeInstanceOf(InternalError);
    expect(mapped.name).toBe('InternalError');
    expect(mapped.message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(mapped.message).not.toContain('arn:');
    expect(mapped.cause).toBe(sdkError);
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]?.level).toBe('error');
  });

  it('given a thrown non-Error, when mapped, then InternalError', () => {
    expect(toPublicError('boom', new MemoryLog())).toBeInstanceOf(InternalError);
  });

  it('given a processing error, when mapped for a GraphQL caller, then it is internal (pipeline errors are data, not API errors)', () => {
    expect(toPublicError(new CorruptImageError(), new MemoryLog())).toBeInstanceOf(InternalError);
  });
});

describe('processing errors', () => {
  it.each([
    [new UnsupportedTypeError(), 'UNSUPPORTED_TYPE', 'UnsupportedTypeError'],
    [new SizeMismatchError(10, 12), 'SIZE_MISMATCH', 'SizeMismatchError'],
    [new TooManyPixelsError(50_000_000), 'TOO_MANY_PIXELS', 'TooManyPixelsError'],
    [new CorruptImageError(), 'CORRUPT_IMAGE', 'CorruptImageError'],
    [new EmptyFileError(), 'EMPTY_FILE', 'EmptyFileError'],
  ] as const)('given %s, then it has its stable code and its own name', (error, code, name) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('given a size mismatch, then the message states both sizes', () => {
    expect(new SizeMismatchError(10, 12).message).toBe('The upload has 12 bytes but 10 were declared.');
  });
});
