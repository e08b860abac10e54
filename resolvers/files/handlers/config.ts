/**
 * The files domain's settings, from environment variables (resolvers/shared/config.ts says why
 * only from there): the upload ticket's lifetime, the pipeline steps' time limit, the thumbnails.
 */
import { ConfigurationError } from '../../shared/errors.js';
import { type Env, requireEnv } from '../../shared/config.js';

export const DEFAULT_UPLOAD_TICKET_TTL_SECONDS = 900;
/** The longest a SigV4 presigned URL may live. */
const MAX_TICKET_TTL_SECONDS = 604_800;

/** UPLOAD_TICKET_TTL_SECONDS: an integer 1..604800; 900 when unset. */
export function uploadTicketTtlSeconds(env: Env = process.env): number {
  const raw = env['UPLOAD_TICKET_TTL_SECONDS'];
  if (raw === undefined || raw.trim() === '') return DEFAULT_UPLOAD_TICKET_TTL_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_TICKET_TTL_SECONDS) {
    throw new ConfigurationError(
      `UPLOAD_TICKET_TTL_SECONDS must be an integer from 1 to ${MAX_TICKET_TTL_SECONDS}, got "${raw}"`,
    );
  }
  return value;
}

/** STEP_TIMEOUT_SECONDS: the pipeline steps' function timeout, a positive integer; undefined when unset. */
export function stepTimeoutMs(env: Env = process.env): number | undefined {
  const raw = env['STEP_TIMEOUT_SECONDS'];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(`STEP_TIMEOUT_SECONDS must be a positive integer, got "${raw}"`);
  }
  return value * 1000;
}

/** The sizes thumbnails are made in: what `THUMBNAIL_SIZES` says, in order. */
export interface ThumbnailConfig {
  readonly sizes: readonly { readonly width: number; readonly height: number | null }[];
  readonly formats: readonly ('jpeg' | 'webp')[];
}

const MAX_THUMBNAIL_EDGE = 4096;

/**
 * THUMBNAIL_SIZES: comma-separated `WxH` (a W by H cover crop) or `Ww` (W wide, height follows),
 * e.g. `200x200,800w`. THUMBNAIL_FORMATS: comma-separated `jpeg` and/or `webp`. Both required.
 */
export function thumbnailConfig(env: Env = process.env): ThumbnailConfig {
  const sizes = requireEnv('THUMBNAIL_SIZES', env)
    .split(',')
    .map((raw) => {
      const text = raw.trim();
      const match = /^(\d+)(?:x(\d+)|w)$/.exec(text);
      const width = Number(match?.[1]);
      const height = match?.[2] === undefined ? null : Number(match[2]);
      const valid = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_THUMBNAIL_EDGE;
      if (!match || !valid(width) || (height !== null && !valid(height))) {
        throw new ConfigurationError(
          `THUMBNAIL_SIZES: "${text}" is not WxH or Ww with edges from 1 to ${MAX_THUMBNAIL_EDGE}`,
        );
      }
      return { width, height };
    });
  const formats = requireEnv('THUMBNAIL_FORMATS', env)
    .split(',')
    .map((raw) => {
      const format = raw.trim();
      if (format !== 'jpeg' && format !== 'webp') {
        throw new ConfigurationError(`THUMBNAIL_FORMATS: "${format}" is not jpeg or webp`);
      }
      return format;
    });
  return { sizes, formats: [...new Set(formats)] };
}
