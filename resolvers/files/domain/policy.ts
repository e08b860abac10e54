/** What the API accepts for uploads. Served as `Query.uploadPolicy`. */
import type { UploadPolicy } from '../../generated/graphql.js';

export const ALLOWED_CONTENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/tiff',
] as const;

export type AllowedContentType = (typeof ALLOWED_CONTENT_TYPES)[number];

/** 25 MiB. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** Decoding refuses images with more pixels than this (decompression bombs). */
export const MAX_INPUT_PIXELS = 50_000_000;

/** How long a thumbnail's signed GET URL stays valid. */
export const THUMBNAIL_URL_TTL_SECONDS = 3600;

export const MAX_FILE_NAME_LENGTH = 255;

export function isAllowedContentType(value: string): value is AllowedContentType {
  return (ALLOWED_CONTENT_TYPES as readonly string[]).includes(value);
}

export function uploadPolicy(ticketTtlSeconds: number): UploadPolicy {
  return {
    contentTypes: [...ALLOWED_CONTENT_TYPES],
    maxBytes: MAX_UPLOAD_BYTES,
    ticketTtlSeconds,
  };
}
