/**
 * The seed every local key and credential derives from (local/wiring.ts): 32 random bytes, hex,
 * in `<state>/seed`, readable by its owner only. Written once, atomically (a temporary file
 * linked into place, so two starts racing keep one seed); an empty or damaged seed stops the
 * start instead of being replaced, since a new seed would silently change every credential
 * and key that tokens, tools and data already hold.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SEED_FORMAT = /^[0-9a-f]{64}$/;

/** The seed cannot be used; the message is one line that says what to do. */
export class SeedError extends Error {
  override readonly name = 'SeedError';
  constructor(message: string) {
    super(message);
    // `npm start` prints a failed start's stack: this one is the message alone.
    this.stack = message;
  }
}

const remedy = (stateDir: string) =>
  `It derives this state folder's credentials and keys: restore it from a backup, or delete ${stateDir} to start over with new ones (and no data).`;

export async function loadSeed(stateDir: string): Promise<string> {
  const path = join(stateDir, 'seed');
  const existing = await readSeed(path, stateDir);
  if (existing !== undefined) return existing;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const seed = randomBytes(32).toString('hex');
  const temporary = join(stateDir, `.seed-${randomUUID()}`);
  await writeFile(temporary, `${seed}\n`, { mode: 0o600, flush: true });
  try {
    // link() never replaces: of two starts racing, the second reads the first one's seed.
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const raced = await readSeed(path, stateDir);
    if (raced === undefined) throw error;
    return raced;
  } finally {
    await rm(temporary, { force: true });
  }
  return seed;
}

/** The seed in `path`; undefined when there is none yet. */
async function readSeed(path: string, stateDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new SeedError(`Cannot read the seed ${path} (${code ?? String(error)}). ${remedy(stateDir)}`);
  }
  const seed = text.trim();
  if (seed === '') throw new SeedError(`The seed ${path} is empty. ${remedy(stateDir)}`);
  if (!SEED_FORMAT.test(seed)) throw new SeedError(`The seed ${path} is damaged (expected 64 hexadecimal characters). ${remedy(stateDir)}`);
  // A seed copied in with looser permissions is made private again.
  await chmod(path, 0o600);
  return seed;
}
