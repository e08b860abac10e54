import { mkdtemp, readFile, readdir, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SeedError, loadSeed } from '../../../local/seed.js';

describe('the seed of a state folder', () => {
  let stateDir: string;

  beforeEach(async () => {
    stateDir = join(await mkdtemp(join(tmpdir(), 'seed-')), 'state');
  });
  afterEach(async () => {
    await rm(join(stateDir, '..'), { recursive: true, force: true });
  });

  it('given no state folder, when loaded, then a new seed is written with mode 0600 and no temporary file is left', async () => {
    const seed = await loadSeed(stateDir);

    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect((await readFile(join(stateDir, 'seed'), 'utf8')).trim()).toBe(seed);
    expect((await stat(join(stateDir, 'seed'))).mode & 0o777).toBe(0o600);
    expect(await readdir(stateDir)).toEqual(['seed']);
  });

  it('given a seed, when loaded again, then the same seed comes back', async () => {
    const first = await loadSeed(stateDir);

    expect(await loadSeed(stateDir)).toBe(first);
  });

  it('given ten starts racing on a new folder, when each loads the seed, then all get the one seed that is on disk', async () => {
    const seeds = await Promise.all(Array.from({ length: 10 }, () => loadSeed(stateDir)));

    const onDisk = (await readFile(join(stateDir, 'seed'), 'utf8')).trim();
    expect(seeds.filter((seed) => seed === onDisk)).toHaveLength(10);
    expect(await readdir(stateDir)).toEqual(['seed']);
  });

  it.each([
    ['empty', '', /is empty/],
    ['only whitespace', ' \n', /is empty/],
    ['cut short', 'abc123', /is damaged/],
    ['not hexadecimal', `${'z'.repeat(64)}\n`, /is damaged/],
  ])('given a seed file that is %s, when loaded, then the start stops with a one-line SeedError and the file is left as it was', async (_case, content, message) => {
    await loadSeed(stateDir);
    await writeFile(join(stateDir, 'seed'), content);

    const loading = loadSeed(stateDir);

    await expect(loading).rejects.toBeInstanceOf(SeedError);
    await expect(loading).rejects.toThrow(message);
    const error = await loading.then(
      () => new SeedError('resolved'),
      (e: unknown) => e as SeedError,
    );
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain(`delete ${stateDir}`);
    expect(await readFile(join(stateDir, 'seed'), 'utf8')).toBe(content);
  });

  it('given a seed readable by others, when loaded, then it is made private again', async () => {
    const seed = await loadSeed(stateDir);
    await chmod(join(stateDir, 'seed'), 0o644);

    expect(await loadSeed(stateDir)).toBe(seed);
    expect((await stat(join(stateDir, 'seed'))).mode & 0o777).toBe(0o600);
  });
});
