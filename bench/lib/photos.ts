/**
 * Real photographs for the pipeline benchmark: the JPEG wallpapers of Debian's
 * `plasma-workspace-wallpapers` (2560x1600 to 5120x2880), fetched with `apt-get download` and
 * unpacked with `dpkg -x` into bench/.cache, installing nothing. Only when the package cannot
 * be had are photo-like JPEGs generated, and the report says so.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { CACHE_DIR } from './paths.js';

const run = promisify(execFile);
const PACKAGE = 'plasma-workspace-wallpapers';
const DIR = join(CACHE_DIR, 'wallpapers');
/** The pipeline's own limits (policy.ts): 25 MiB and 50 megapixels. */
const MAX_BYTES = 25 * 1024 * 1024;

export interface Photo {
  readonly name: string;
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
}

export interface PhotoSet {
  /** What the report says about the images. */
  readonly source: string;
  readonly photos: readonly Photo[];
}

async function jpegsUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.jpe?g$/i.test(entry.name)) found.push(full);
    }
  };
  await walk(dir);
  return found.sort();
}

async function download(log: (line: string) => void): Promise<string | undefined> {
  const work = join(CACHE_DIR, 'apt');
  await mkdir(work, { recursive: true });
  const attempt = () => run('apt-get', ['download', PACKAGE], { cwd: work, maxBuffer: 16 * 1024 * 1024 });
  try {
    await attempt();
  } catch (first) {
    if (process.getuid?.() !== 0) {
      log(`apt-get download ${PACKAGE} failed and this is not root, so no apt-get update: ${String(first)}`);
      return undefined;
    }
    log(`apt-get download failed; running apt-get update once`);
    try {
      await run('apt-get', ['update'], { maxBuffer: 64 * 1024 * 1024 });
      await attempt();
    } catch (second) {
      log(`${PACKAGE} cannot be had: ${String(second)}`);
      return undefined;
    }
  }
  const deb = (await readdir(work)).find((name) => name.startsWith(PACKAGE) && name.endsWith('.deb'));
  if (!deb) return undefined;
  await run('dpkg', ['-x', join(work, deb), DIR]);
  const version = decodeURIComponent(/_([^_]+)_[^_]+\.deb$/.exec(deb)?.[1] ?? '');
  await writeFile(join(DIR, 'VERSION'), `${version}\n`);
  await rm(work, { recursive: true, force: true });
  return version;
}

async function generated(count: number): Promise<Photo[]> {
  const photos: Photo[] = [];
  for (let i = 0; i < count; i += 1) {
    const width = 2560;
    const height = 1600;
    // Smooth gradients plus noise compress like a photograph (a flat image would be unfairly cheap).
    const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 40 + i * 20, g: 90, b: 160 } } })
      .composite([{ input: { create: { width, height, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }, blend: 'overlay' }])
      .jpeg({ quality: 88 })
      .toBuffer();
    photos.push({ name: `generated-${i}.jpg`, bytes, width, height });
  }
  return photos;
}

export async function loadPhotos(log: (line: string) => void): Promise<PhotoSet> {
  let files = await jpegsUnder(DIR);
  if (files.length === 0) {
    log(`Fetching ${PACKAGE} (apt-get download, dpkg -x into bench/.cache)`);
    await download(log);
    files = await jpegsUnder(DIR);
  }
  const version = (await readFile(join(DIR, 'VERSION'), 'utf8').catch(() => '')).trim();
  if (files.length === 0) {
    return { source: `generated 2560x1600 noise-gradient JPEGs (${PACKAGE} could not be had)`, photos: await generated(8) };
  }
  // Each wallpaper folder holds one photograph at several sizes; keep the largest (the original),
  // which is what a phone or camera uploads, and skip the screenshots.
  const largest = new Map<string, Photo>();
  for (const file of files) {
    if (/screenshot/i.test(file) || (await stat(file)).size > MAX_BYTES) continue;
    const bytes = await readFile(file);
    const { width = 0, height = 0 } = await sharp(bytes).metadata();
    const folder = dirname(file);
    const kept = largest.get(folder);
    if (!kept || kept.width * kept.height < width * height) largest.set(folder, { name: file.slice(DIR.length + 1), bytes, width, height });
  }
  const photos = [...largest.values()].sort((a, b) => a.name.localeCompare(b.name));
  const sizes = photos.map((p) => p.width * p.height);
  const smallest = photos[sizes.indexOf(Math.min(...sizes))];
  const biggest = photos[sizes.indexOf(Math.max(...sizes))];
  return {
    source:
      `Debian ${PACKAGE}${version ? ` ${version}` : ''}: ${photos.length} JPEG photographs, ` +
      `${smallest?.width}x${smallest?.height} to ${biggest?.width}x${biggest?.height}`,
    photos,
  };
}
