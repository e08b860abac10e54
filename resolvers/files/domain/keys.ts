/**
 * Object keys. The server chooses every key; the owner and file id are recoverable from the
 * key of an original, which is how the pipeline finds the record an S3 event is about.
 */

export const ORIGINALS_PREFIX = 'uploads/';
export const THUMBNAILS_PREFIX = 'thumbnails/';
/** Sanitized originals: EXIF orientation applied, metadata stripped. */
export const PROCESSED_PREFIX = 'processed/';
/** Rejected originals, moved out of `uploads/` and kept for inspection. */
export const QUARANTINE_PREFIX = 'quarantine/';
export const THUMBNAIL_SIZE = 200;

/** One configured thumbnail: a `width`x`height` cover crop, or `width` wide (height follows). */
export interface ThumbnailSpec {
  readonly width: number;
  readonly height: number | null;
}

export type ThumbnailFormat = 'jpeg' | 'webp';

const EXTENSIONS = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif', avif: 'avif', tiff: 'tiff' } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isFileId(value: string): boolean {
  return UUID.test(value);
}

export function originalKey(owner: string, fileId: string): string {
  return `${ORIGINALS_PREFIX}${owner}/${fileId}`;
}

/** `thumbnails/<owner>/<id>/200x200.jpg`, `.../800w.webp`: one key per size and format. */
export function thumbnailKey(
  owner: string,
  fileId: string,
  spec: ThumbnailSpec = { width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE },
  format: ThumbnailFormat = 'jpeg',
): string {
  const size = spec.height === null ? `${spec.width}w` : `${spec.width}x${spec.height}`;
  return `${THUMBNAILS_PREFIX}${owner}/${fileId}/${size}.${EXTENSIONS[format]}`;
}

export function processedKey(owner: string, fileId: string, format: keyof typeof EXTENSIONS): string {
  return `${PROCESSED_PREFIX}${owner}/${fileId}/image.${EXTENSIONS[format]}`;
}

export function quarantineKey(owner: string, fileId: string): string {
  return `${QUARANTINE_PREFIX}${owner}/${fileId}`;
}

/** Every object a file can have: its original and quarantined copy by key, its sanitized copies and thumbnails by prefix. */
export function fileObjectScopes(owner: string, fileId: string): ({ readonly key: string } | { readonly prefix: string })[] {
  return [
    { key: originalKey(owner, fileId) },
    { key: quarantineKey(owner, fileId) },
    { prefix: `${PROCESSED_PREFIX}${owner}/${fileId}/` },
    { prefix: `${THUMBNAILS_PREFIX}${owner}/${fileId}/` },
  ];
}

/** `uploads/<owner>/<fileId>` -> its parts; null for any other key (thumbnails included). */
export function parseOriginalKey(key: string): { owner: string; fileId: string } | null {
  if (!key.startsWith(ORIGINALS_PREFIX)) return null;
  const parts = key.slice(ORIGINALS_PREFIX.length).split('/');
  if (parts.length !== 2) return null;
  const [owner, fileId] = parts;
  if (owner === undefined || owner === '' || fileId === undefined || !isFileId(fileId)) return null;
  return { owner, fileId };
}

/**
 * S3 event notifications carry the key URL-encoded with `+` for spaces
 * (`uploads/a+b/%C3%A9` is `uploads/a b/é`). Null when the encoding is malformed.
 */
export function decodeS3EventKey(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * Owners are user ids (Cognito `sub`, a UUID). Anything that could change the shape of a key
 * (a slash, whitespace, control characters) or make it long is refused.
 */
export function isKeySafeOwner(owner: string): boolean {
  return /^[A-Za-z0-9._:@-]{1,128}$/.test(owner);
}
