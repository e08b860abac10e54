import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  inspectImage,
  processImage,
  renderThumbnail,
  sniffImageFormat,
} from '../../../resolvers/files/domain/image-inspection.js';
import { type ProcessingError } from '../../../resolvers/files/domain/errors.js';
import { rgbPng } from '../../support/images.js';
import * as images from './helpers/images.js';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

async function failureCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as ProcessingError).code;
  }
  throw new Error('expected a ProcessingError');
}

/** A tiny PNG that declares huge dimensions: a header and one row of pixel data. */
function pngHeader(width: number, height: number): Uint8Array {
  return new Uint8Array(rgbPng(width, height, deflateSync(Buffer.alloc(1 + width * 3))));
}

describe('sniffImageFormat (magic bytes, before any decoding)', () => {
  it.each([
    ['jpeg', images.jpeg],
    ['png', images.png],
    ['webp', images.webp],
    ['gif', images.gif],
    ['avif', images.avif],
    ['tiff', images.tiff],
  ] as const)('given a real %s made by sharp, when sniffed, then its format is found', async (format, make) => {
    expect(sniffImageFormat(await make())).toBe(format);
  });

  it.each([
    ['HTML', images.html],
    ['SVG', images.svg],
    ['plain text', images.text],
    ['nothing', new Uint8Array()],
    ['a PDF', new TextEncoder().encode('%PDF-1.7\n')],
    ['half a JPEG signature', new Uint8Array([0xff, 0xd8])],
  ])('given %s, when sniffed, then no format', (_name, bytes) => {
    expect(sniffImageFormat(bytes)).toBeNull();
  });

  it('given an ISO-BMFF file of brand heic, when sniffed, then it is not AVIF', () => {
    const heic = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic\0\0\0\0mif1heic')]);
    expect(sniffImageFormat(heic)).toBeNull();
  });

  it('given major brand mif1 listing avif as compatible, when sniffed, then AVIF', () => {
    const avif = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypmif1\0\0\0\0mif1avif')]);
    expect(sniffImageFormat(avif)).toBe('avif');
  });

  it('given both TIFF byte orders, when sniffed, then TIFF', () => {
    expect(sniffImageFormat(new Uint8Array([0x49, 0x49, 0x2a, 0x00, 1]))).toBe('tiff');
    expect(sniffImageFormat(new Uint8Array([0x4d, 0x4d, 0x00, 0x2a, 1]))).toBe('tiff');
  });
});

describe('inspectImage', () => {
  it('given a JPEG of its declared size, when inspected, then format, dimensions and sha256 are found', async () => {
    const bytes = await images.jpeg(64, 48);
    const info = await inspectImage(bytes, bytes.length);
    expect(info).toEqual({
      format: 'jpeg',
      width: 64,
      height: 48,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it.each([
    ['png', images.png],
    ['webp', images.webp],
    ['gif', images.gif],
    ['avif', images.avif],
    ['tiff', images.tiff],
  ] as const)('given a %s, when inspected, then the format is reported by the bytes', async (format, make) => {
    const bytes = await make(40, 30);
    expect(await inspectImage(bytes, bytes.length)).toMatchObject({ format, width: 40, height: 30 });
  });

  it('given a JPEG whose EXIF orientation rotates it 90 degrees, when inspected, then width and height are as displayed', async () => {
    const bytes = await images.jpeg(64, 48, { orientation: 6 });
    expect(await inspectImage(bytes, bytes.length)).toMatchObject({ width: 48, height: 64 });
  });

  it('given zero bytes, when inspected, then EMPTY_FILE', async () => {
    expect(await failureCode(inspectImage(new Uint8Array(), 0))).toBe('EMPTY_FILE');
  });

  it('given bytes that are not the declared size, when inspected, then SIZE_MISMATCH', async () => {
    const bytes = await images.jpeg();
    expect(await failureCode(inspectImage(bytes, bytes.length + 1))).toBe('SIZE_MISMATCH');
  });

  it.each([
    ['HTML', images.html],
    ['SVG', images.svg],
    ['text', images.text],
  ])('given %s declared as an image, when inspected, then UNSUPPORTED_TYPE', async (_name, bytes) => {
    expect(await failureCode(inspectImage(bytes, bytes.length))).toBe('UNSUPPORTED_TYPE');
  });

  it('given a header declaring 100 megapixels, when inspected, then TOO_MANY_PIXELS without decoding', async () => {
    const bytes = pngHeader(10_000, 10_000);
    expect(await failureCode(inspectImage(bytes, bytes.length))).toBe('TOO_MANY_PIXELS');
  });

  it('given the JPEG signature followed by HTML, when inspected, then CORRUPT_IMAGE', async () => {
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, ...images.html]);
    expect(await failureCode(inspectImage(bytes, bytes.length))).toBe('CORRUPT_IMAGE');
  });
});

describe('processImage (inspection, then thumbnail)', () => {
  it('given a truncated JPEG, when processed, then CORRUPT_IMAGE', async () => {
    const full = await sharp({
      create: {
        width: 256,
        height: 256,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .jpeg()
      .toBuffer();
    const truncated = new Uint8Array(full.subarray(0, Math.floor(full.length / 2)));
    expect(await failureCode(processImage(truncated, truncated.length))).toBe('CORRUPT_IMAGE');
  });

  it('given a rotated landscape JPEG, when thumbnailed, then a 200x200 JPEG without EXIF or orientation', async () => {
    const bytes = await images.jpeg(640, 480, { orientation: 6 });
    const { info, thumbnail } = await processImage(bytes, bytes.length);
    expect(info).toMatchObject({ width: 480, height: 640 });
    const meta = await sharp(thumbnail.bytes).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 200, height: 200 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(thumbnail).toMatchObject({ width: 200, height: 200, format: 'jpeg', contentType: 'image/jpeg' });
  });

  it('given a transparent PNG, when thumbnailed, then a JPEG (no alpha)', async () => {
    const bytes = await images.png(300, 100);
    const thumbnail = await renderThumbnail(bytes);
    const meta = await sharp(thumbnail.bytes).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 200, height: 200, hasAlpha: false });
  });
});
