/** Validation of `createUpload`'s input. Each failure names the field and the rule. */
import type { CreateUploadInput } from '../../generated/graphql.js';
import { ValidationError } from '../../shared/errors.js';
import {
  type AllowedContentType,
  ALLOWED_CONTENT_TYPES,
  isAllowedContentType,
  MAX_FILE_NAME_LENGTH,
  MAX_UPLOAD_BYTES,
} from './policy.js';

export interface ValidUpload {
  readonly fileName: string;
  readonly contentType: AllowedContentType;
  readonly size: number;
}

// C0 and C1 control characters, DEL, and Unicode line/paragraph separators and bidi overrides
// (which make a displayed name lie about its extension).
const FORBIDDEN_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

export function validateCreateUpload(input: CreateUploadInput, maxBytes = MAX_UPLOAD_BYTES): ValidUpload {
  const problems: string[] = [];

  const fileName = typeof input.fileName === 'string' ? input.fileName.normalize('NFC') : '';
  // Count characters (code points), not UTF-16 units.
  const nameLength = [...fileName].length;
  if (fileName.trim().length === 0) {
    problems.push('fileName must not be empty or blank');
  } else if (nameLength > MAX_FILE_NAME_LENGTH) {
    problems.push(`fileName must be at most ${MAX_FILE_NAME_LENGTH} characters, got ${nameLength}`);
  } else if (FORBIDDEN_NAME_CHARS.test(fileName)) {
    problems.push('fileName must not contain control characters');
  } else if (/[/\\]/.test(fileName)) {
    problems.push('fileName must be a name, not a path (no "/" or "\\")');
  } else if (fileName === '.' || fileName === '..') {
    problems.push('fileName must not be "." or ".."');
  }

  const contentType = typeof input.contentType === 'string' ? input.contentType : '';
  if (!isAllowedContentType(contentType)) {
    problems.push(`contentType must be one of ${ALLOWED_CONTENT_TYPES.join(', ')}`);
  }

  const size = input.size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > maxBytes) {
    problems.push(`size must be an integer from 1 to ${maxBytes}`);
  }

  if (problems.length > 0 || !isAllowedContentType(contentType)) {
    throw new ValidationError(`Invalid input: ${problems.join('; ')}`);
  }
  return { fileName, contentType, size };
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `files(limit)`: 1..100, default 20 (null or absent). */
export function validatePageSize(limit: number | null | undefined): number {
  if (limit === null || limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
}
