/** Small real images made with sharp at test time, and files that are not images. */
import sharp from 'sharp';

export async function jpeg(width = 64, height = 48, options: { orientation?: number } = {}): Promise<Uint8Array> {
  let image = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } }).jpeg();
  if (options.orientation !== undefined) image = image.withMetadata({ orientation: options.orientation });
  return new Uint8Array(await image.toBuffer());
}

async function encode(format: 'png' | 'webp' | 'gif' | 'avif' | 'tiff', width = 40, height = 30): Promise<Uint8Array> {
  const base = sharp({ create: { width, height, channels: 4, background: { r: 10, g: 120, b: 200, alpha: 1 } } });
  return new Uint8Array(await base.toFormat(format).toBuffer());
}

export const png = (w?: number, h?: number) => encode('png', w, h);
export const webp = (w?: number, h?: number) => encode('webp', w, h);
export const gif = (w?: number, h?: number) => encode('gif', w, h);
export const avif = (w?: number, h?: number) => encode('avif', w, h);
export const tiff = (w?: number, h?: number) => encode('tiff', w, h);

export const html = new TextEncoder().encode('<!doctype html><html><body><script>alert(1)</script></body></html>');
export const svg = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
);
export const text = new TextEncoder().encode('just some text, not an image\n');
