import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES } from '../../../resolvers/files/domain/policy.js';
import { validateCreateUpload, validatePageSize } from '../../../resolvers/files/domain/validation.js';
import { ValidationError } from '../../../resolvers/shared/errors.js';

const valid = { fileName: 'holiday.jpg', contentType: 'image/jpeg', size: 1024 };

function rejection(input: Partial<typeof valid>): ValidationError {
  try {
    validateCreateUpload({ ...valid, ...input });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('validateCreateUpload', () => {
  it('given a well-formed input, when validated, then it is returned unchanged', () => {
    expect(validateCreateUpload(valid)).toEqual(valid);
  });

  it.each(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff'])(
    'given content type %s, when validated, then it is accepted',
    (contentType) => {
      expect(validateCreateUpload({ ...valid, contentType }).contentType).toBe(contentType);
    },
  );

  it.each(['image/svg+xml', 'text/html', 'application/pdf', 'IMAGE/JPEG', 'image/jpeg; charset=utf-8', ''])(
    'given content type "%s", when validated, then it is refused naming contentType',
    (contentType) => {
      expect(rejection({ contentType }).message).toMatch(/contentType must be one of/);
    },
  );

  it.each([0, -1, 1.5, MAX_UPLOAD_BYTES + 1, Number.NaN])('given size %s, when validated, then it is refused', (size) => {
    expect(rejection({ size }).message).toMatch(/size must be an integer from 1 to 26214400/);
  });

  it('given the largest allowed size and the smallest, when validated, then both are accepted', () => {
    expect(validateCreateUpload({ ...valid, size: MAX_UPLOAD_BYTES }).size).toBe(MAX_UPLOAD_BYTES);
    expect(validateCreateUpload({ ...valid, size: 1 }).size).toBe(1);
  });

  it('given a 255-character name, when validated, then it is accepted; 256 is refused', () => {
    expect(validateCreateUpload({ ...valid, fileName: 'a'.repeat(255) }).fileName).toHaveLength(255);
    expect(rejection({ fileName: 'a'.repeat(256) }).message).toMatch(/at most 255 characters/);
  });

  it('given a name of 255 emoji (510 UTF-16 units), when validated, then characters are counted, not units', () => {
    const name = '📷'.repeat(255);
    expect(validateCreateUpload({ ...valid, fileName: name }).fileName).toBe(name);
  });

  it.each(['', '   ', '\t'])('given the blank name "%s", when validated, then it is refused', (fileName) => {
    expect(rejection({ fileName }).message).toMatch(/fileName must not be empty/);
  });

  it.each(['a\nb.jpg', 'a\u0000.jpg', 'evil\u202Egpj.exe', 'x\u007f.png'])(
    'given a name with a control or bidi character (%j), when validated, then it is refused',
    (fileName) => {
      expect(rejection({ fileName }).message).toMatch(/control characters/);
    },
  );

  it.each(['../etc/passwd', 'a/b.jpg', 'C:\\x.jpg', '..'])(
    'given a path-like name %j, when validated, then it is refused',
    (fileName) => {
      expect(rejection({ fileName }).message).toMatch(/fileName must/);
    },
  );

  it('given several bad fields, when validated, then one error names all of them', () => {
    const message = rejection({ fileName: '', contentType: 'text/plain', size: 0 }).message;
    expect(message).toMatch(/fileName/);
    expect(message).toMatch(/contentType/);
    expect(message).toMatch(/size/);
  });
});

describe('validatePageSize', () => {
  it('given no limit or null, when validated, then the default 20 applies', () => {
    expect(validatePageSize(undefined)).toBe(20);
    expect(validatePageSize(null)).toBe(20);
  });

  it.each([0, 101, 2.5, -3])('given limit %s, when validated, then it is refused', (limit) => {
    expect(() => validatePageSize(limit)).toThrow(ValidationError);
  });

  it('given 1 and 100, when validated, then both are accepted', () => {
    expect(validatePageSize(1)).toBe(1);
    expect(validatePageSize(100)).toBe(100);
  });
});
