/**
 * What an upload really is. The declared content type is never trusted: the first bytes are
 * matched against the allowlist's signatures BEFORE any decoder sees them (so SVG, HTML, text,
 * PDF and the like never reach libvips), then sharp reads the header with a pixel limit, and
 * only then decodes to make the thumbnail.
 *
 * Every failure here is permanent and carries a stable code (see ./errors.ts).
 */
import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import {
  CorruptImageError,
  EmptyFileError,
  SizeMismatchError,
  TooManyPixelsError,
  UnsupportedTypeError,
} from './errors.js';
import { THUMBNAIL_SIZE, type ThumbnailFormat, type ThumbnailSpec } from './keys.js';
import { MAX_INPUT_PIXELS } from './policy.js';

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'tiff';

export interface ImageInfo {
  readonly format: ImageFormat;
  /** Width and height as displayed, i.e. after the EXIF orientation is applied. */
  readonly width: number;
  readonly height: number;
  /** Hex SHA-256 of the uploaded bytes. */
  readonly sha256: string;
}

export interface RenderedThumbnail {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly format: 'jpeg';
  readonly contentType: 'image/jpeg';
}

export interface ProcessedImage {
  readonly info: ImageInfo;
  readonly thumbnail: RenderedThumbnail;
}

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  end <= bytes.length ? String.fromCharCode(...bytes.subarray(start, end)) : '';

const startsWith = (bytes: Uint8Array, signature: readonly number[]): boolean =>
  bytes.length >= signature.length && signature.every((byte, i) => bytes[i] === byte);

const AVIF_BRANDS = new Set(['avif', 'avis']);

/**
 * ISO-BMFF `ftyp` box whose major brand, or one of whose compatible brands, is avif/avis
 * (some encoders write major brand `mif1` and list `avif` as compatible). HEIC is not AVIF.
 */
function isAvif(bytes: Uint8Array): boolean {
  if (ascii(bytes, 4, 8) !== 'ftyp') return false;
  if (AVIF_BRANDS.has(ascii(bytes, 8, 12))) return true;
  const boxSize = ((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  const end = Math.min(boxSize >>> 0, bytes.length, 256);
  // major brand (8..12), minor version (12..16), then compatible brands, 4 bytes each.
  for (let offset = 16; offset + 4 <= end; offset += 4) {
    if (AVIF_BRANDS.has(ascii(bytes, offset, offset + 4))) return true;
  }
  return false;
}

/** The allowlisted format the bytes start with, or null. Looks at the first bytes only. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  const gif = ascii(bytes, 0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (isAvif(bytes)) return 'avif';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return 'tiff';
  }
  return null;
}

/** sharp/libvips' name for each format (AVIF is read by the HEIF loader). */
const SHARP_FORMAT: Record<ImageFormat, string> = {
  jpeg: 'jpeg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  avif: 'heif',
  tiff: 'tiff',
};

const isPixelLimitError = (error: unknown): boolean =>
  error instanceof Error && /pixel limit/i.test(error.message);

const decoder = (bytes: Uint8Array) =>
  // failOn 'warning' (the default, spelled out): a truncated or damaged image is rejected
  // rather than thumbnailed with grey bands.
  sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning' });

/**
 * Checks the bytes against what was declared and reads the image header.
 * Throws EmptyFileError, SizeMismatchError, UnsupportedTypeError, TooManyPixelsError or
 * CorruptImageError.
 */
export async function inspectImage(bytes: Uint8Array, declaredSize: number): Promise<ImageInfo> {
  if (bytes.length === 0) throw new EmptyFileError();
  if (bytes.length !== declaredSize) throw new SizeMismatchError(declaredSize, bytes.length);

  const format = sniffImageFormat(bytes);
  if (format === null) throw new UnsupportedTypeError();

  let metadata: Metadata;
  try {
    metadata = await decoder(bytes).metadata();
  } catch (error) {
    if (isPixelLimitError(error)) throw new TooManyPixelsError(MAX_INPUT_PIXELS, { cause: error });
    throw new CorruptImageError(undefined, { cause: error });
  }
  if (metadata.format !== SHARP_FORMAT[format]) {
    // The signature says one format, the decoder found another (or a HEIC posing as AVIF).
    throw new UnsupportedTypeError(undefined, {
      cause: new Error(`signature ${format}, decoder ${String(metadata.format)}`),
    });
  }
  if (format === 'avif' && metadata.compression !== 'av1') {
    throw new UnsupportedTypeError(undefined, {
      cause: new Error(`HEIF compression ${String(metadata.compression)}`),
    });
  }
  const { width, height } = metadata.autoOrient ?? metadata;
  if (!width || !height) throw new CorruptImageError('The image has no dimensions.');
  if (width * height > MAX_INPUT_PIXELS) throw new TooManyPixelsError(MAX_INPUT_PIXELS);

  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { format, width, height, sha256 };
}

/**
 * A THUMBNAIL_SIZE square JPEG: EXIF orientation applied, cover-cropped around the centre,
 * no metadata kept (sharp strips it unless asked to keep it).
 */
export async function renderThumbnail(bytes: Uint8Array): Promise<RenderedThumbnail> {
  try {
    const { data, info } = await decoder(bytes)
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'cover', position: 'centre' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return {
      bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      format: 'jpeg',
      contentType: 'image/jpeg',
    };
  } catch (error) {
    if (isPixelLimitError(error)) throw new TooManyPixelsError(MAX_INPUT_PIXELS, { cause: error });
    throw new CorruptImageError(undefined, { cause: error });
  }
}

export interface SizedThumbnail {
  readonly spec: ThumbnailSpec;
  readonly format: ThumbnailFormat;
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly contentType: string;
}

const CONTENT_TYPES: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  tiff: 'image/tiff',
};

/**
 * One thumbnail per spec and format, from bytes that passed `inspectImage`: EXIF orientation
 * applied, no metadata kept (sharp writes none unless asked), transparency flattened on white.
 * A spec with a height is a centred cover crop; without one the image is resized to the width
 * (never enlarged).
 */
export async function renderThumbnails(
  bytes: Uint8Array,
  specs: readonly ThumbnailSpec[],
  formats: readonly ThumbnailFormat[],
): Promise<SizedThumbnail[]> {
  const rendered: SizedThumbnail[] = [];
  try {
    for (const spec of specs) {
      const resized = decoder(bytes)
        .rotate()
        .resize(
          spec.width,
          spec.height ?? undefined,
          spec.height === null ? { fit: 'inside', withoutEnlargement: true } : { fit: 'cover', position: 'centre' },
        )
        .flatten({ background: '#ffffff' });
      for (const format of formats) {
        const output = format === 'jpeg' ? resized.clone().jpeg({ quality: 80, mozjpeg: true }) : resized.clone().webp({ quality: 80 });
        const { data, info } = await output.toBuffer({ resolveWithObject: true });
        rendered.push({
          spec,
          format,
          bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          width: info.width,
          height: info.height,
          contentType: format === 'jpeg' ? 'image/jpeg' : 'image/webp',
        });
      }
    }
  } catch (error) {
    if (isPixelLimitError(error)) throw new TooManyPixelsError(MAX_INPUT_PIXELS, { cause: error });
    throw new CorruptImageError(undefined, { cause: error });
  }
  return rendered;
}

export interface SanitizedImage {
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

/**
 * The original re-encoded in its own format with the EXIF orientation applied and every
 * metadata block (EXIF with GPS, XMP, IPTC, ICC comments) dropped: what the app may serve.
 * Decoding the whole image also proves it is not truncated.
 */
export async function sanitizeImage(bytes: Uint8Array, format: ImageFormat): Promise<SanitizedImage> {
  try {
    const data = await decoder(bytes).rotate().toFormat(format === 'avif' ? 'avif' : format).toBuffer();
    return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), contentType: CONTENT_TYPES[format] };
  } catch (error) {
    if (isPixelLimitError(error)) throw new TooManyPixelsError(MAX_INPUT_PIXELS, { cause: error });
    throw new CorruptImageError(undefined, { cause: error });
  }
}

/** Inspection, then the thumbnail: what the pipeline needs from an upload's bytes. */
export async function processImage(bytes: Uint8Array, declaredSize: number): Promise<ProcessedImage> {
  const info = await inspectImage(bytes, declaredSize);
  const thumbnail = await renderThumbnail(bytes);
  return { info, thumbnail };
}
