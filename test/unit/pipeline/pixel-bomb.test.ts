/**
 * Issue 4, "a 14000x14000 PNG of about 600 KB (rejected before decode, memory stays bounded)":
 * the real inspection (resolvers/files/domain/image-inspection.ts, what PROCESS and THUMBNAIL run
 * before anything decodes) on a real decompression bomb, with the process's memory measured
 * around the call.
 *
 * Decoded, the bomb is 14000 * 14000 * 3 = 588 MB as RGB, 784 MB as the RGBA a pipeline with an
 * alpha channel or a flatten would hold. Reading the header costs kilobytes. The bound below,
 * 64 MB of growth, sits between the two with room on both sides: a tenth of any decode (even a
 * decode into a 16-bit grey buffer would be 392 MB), while leaving 60-odd MB for libvips'
 * thread pool, its operation cache and allocator slack in this process, which vary with the
 * machine. The memory is the test worker process's (vitest's `forks` pool), which may have run
 * other files before this one: hence the reset of the high-water mark below.
 *
 * Peak, not end state: libvips frees what it decoded before the promise settles, so an RSS read
 * after the call could miss the whole bomb. The kernel keeps a high-water mark of the resident
 * set (VmHWM in /proc/self/status); it is reset just before the call (writing 5 to
 * /proc/self/clear_refs), because the process already peaked higher making the bomb and, in a
 * reused test worker, running other files. The growth is the mark after the call over the
 * resident set just before.
 * A control at the end decodes a smaller image for real, to show the same meter sees a decode.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectImage, sanitizeImage } from '../../../resolvers/files/domain/image-inspection.js';
import { MAX_INPUT_PIXELS } from '../../../resolvers/files/domain/policy.js';
import { type ProcessingError } from '../../../resolvers/files/domain/errors.js';
import { pixelBombPng } from '../../support/images.js';

const MB = 1024 * 1024;
const SIDE = 14_000;
/** What decoding the bomb to RGBA would take: 784 MB. */
const DECODED_BYTES = SIDE * SIDE * 4;
/** See the file comment: far below any decode of the bomb, far above reading a header. */
const BOUND = 64 * MB;

/** A full collection: `global.gc` when node runs with --expose-gc, else the same function reached through V8's flags. */
const gc: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

interface Measured<T> {
  readonly result: T;
  /** Peak resident set during the call minus the resident set just before it. */
  readonly rssGrowth: number;
  /** The same for memory outside V8's heap that V8 knows of (Buffers, ArrayBuffers). */
  readonly externalGrowth: number;
}

/** Linux: resets VmHWM to the current resident set. */
const resetHighWaterMark = () => writeFileSync('/proc/self/clear_refs', '5');

/** Linux: the resident set's high-water mark since the last reset, in bytes. */
function highWaterMark(): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (kb === undefined) throw new Error('No VmHWM in /proc/self/status');
  return Number(kb) * 1024;
}

async function measured<T>(call: () => Promise<T>): Promise<Measured<T>> {
  gc();
  resetHighWaterMark();
  const before = process.memoryUsage();
  let externalPeak = before.external;
  // VmHWM catches any peak between samples; the samples follow `external`, which has no high-water mark.
  const sampler = setInterval(() => {
    externalPeak = Math.max(externalPeak, process.memoryUsage().external);
  }, 1);
  let result: T;
  try {
    result = await call();
  } finally {
    clearInterval(sampler);
  }
  const after = process.memoryUsage();
  externalPeak = Math.max(externalPeak, after.external);
  const peakRss = Math.max(highWaterMark(), after.rss);
  return { result, rssGrowth: peakRss - before.rss, externalGrowth: externalPeak - before.external };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as ProcessingError).code ?? String(error);
  }
  return 'NO ERROR';
}

let bomb: Buffer;

beforeAll(async () => {
  bomb = await pixelBombPng(SIDE, SIDE);
}, 120_000);

describe('a 14000x14000 PNG of about 600 KB', () => {
  it('given the bomb, then it is small on disk and declares far more pixels than the limit', async () => {
    expect(bomb.length).toBeGreaterThan(400_000);
    expect(bomb.length).toBeLessThan(1_000_000);
    expect(SIDE * SIDE).toBeGreaterThan(MAX_INPUT_PIXELS);
  });

  it('when inspected, then TOO_MANY_PIXELS and the memory grows by far less than a decode would take', async () => {
    const { result, rssGrowth, externalGrowth } = await measured(() => codeOf(inspectImage(bomb, bomb.length)));
    console.log(`inspectImage: rss +${(rssGrowth / MB).toFixed(1)} MB, external +${(externalGrowth / MB).toFixed(1)} MB`);
    expect(result).toBe('TOO_MANY_PIXELS');
    expect(rssGrowth).toBeLessThan(BOUND);
    expect(externalGrowth).toBeLessThan(BOUND);
    expect(BOUND).toBeLessThan(DECODED_BYTES / 10);
  });

  it('when the decoder is reached anyway (sanitizeImage, behind the inspection), then limitInputPixels refuses it from the header, memory bounded too', async () => {
    const { result, rssGrowth, externalGrowth } = await measured(() => codeOf(sanitizeImage(bomb, 'png')));
    console.log(`sanitizeImage: rss +${(rssGrowth / MB).toFixed(1)} MB, external +${(externalGrowth / MB).toFixed(1)} MB`);
    expect(result).toBe('TOO_MANY_PIXELS');
    expect(rssGrowth).toBeLessThan(BOUND);
    expect(externalGrowth).toBeLessThan(BOUND);
  });

  it('control: when a smaller bomb (6000x6000, 108 MB of RGB) is really decoded, then the same meter sees more than the bound', async () => {
    const smaller = await pixelBombPng(6000, 6000);
    const { result, rssGrowth } = await measured(async () => (await sharp(smaller, { limitInputPixels: false }).raw().toBuffer()).length);
    console.log(`control decode: rss +${(rssGrowth / MB).toFixed(1)} MB`);
    expect(result).toBe(6000 * 6000 * 3);
    expect(rssGrowth).toBeGreaterThan(BOUND);
  });
});
