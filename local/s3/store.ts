/**
 * The buckets' objects on disk, under one folder of the state directory. A key is never a path:
 * each key's versions are one JSON file named by the key's SHA-256, and each version's bytes a
 * file with a random name, so no key (`..`, `/`, NUL) can reach outside the folder. Every change
 * is written to a temporary file and renamed into place (data first, then the index), so a stop
 * at any moment leaves either the old state or the new one; data files no index names are
 * removed at the next start.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { noSuchBucket } from './errors.js';
import type { ObjectVersion, VersionChange, VersioningState } from './versioning.js';

export interface BucketConfig {
  readonly name: string;
  readonly versioning: VersioningState;
  /** CORS rules as the template or PutBucketCors gave them. */
  readonly cors?: readonly CorsRule[];
}

export interface CorsRule {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

interface KeyFile {
  readonly key: string;
  readonly versions: readonly ObjectVersion[];
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, path);
}

/** One bucket: its keys' versions in memory, mirrored on disk. */
export class Bucket {
  readonly #keys = new Map<string, readonly ObjectVersion[]>();
  readonly #locks = new Map<string, Promise<unknown>>();
  #config: BucketConfig;

  private constructor(
    readonly dir: string,
    config: BucketConfig,
  ) {
    this.#config = config;
  }

  get name(): string {
    return this.#config.name;
  }
  get versioning(): VersioningState {
    return this.#config.versioning;
  }
  get cors(): readonly CorsRule[] | undefined {
    return this.#config.cors;
  }

  static async open(root: string, config: BucketConfig): Promise<Bucket> {
    const dir = join(root, config.name);
    const bucket = new Bucket(dir, config);
    await Promise.all(['index', 'data', 'tmp', 'multipart'].map((sub) => mkdir(join(dir, sub), { recursive: true, mode: 0o700 })));
    await rm(join(dir, 'tmp'), { recursive: true, force: true });
    await mkdir(join(dir, 'tmp'), { recursive: true, mode: 0o700 });
    const saved = await readFile(join(dir, 'bucket.json'), 'utf8').then(
      (text) => JSON.parse(text) as Partial<BucketConfig>,
      (): Partial<BucketConfig> => ({}),
    );
    // Once enabled, a bucket never goes back to unversioned [VER23].
    const versioning = saved.versioning !== undefined && saved.versioning !== 'Unversioned' && config.versioning === 'Unversioned' ? 'Suspended' : config.versioning;
    bucket.#config = { ...config, versioning, ...(saved.cors === undefined ? {} : { cors: saved.cors }) };
    await bucket.#load();
    await bucket.#saveConfig();
    return bucket;
  }

  async #load(): Promise<void> {
    const referenced = new Set<string>();
    const indexDir = join(this.dir, 'index');
    for (const shard of await readdir(indexDir)) {
      for (const name of await readdir(join(indexDir, shard))) {
        const path = join(indexDir, shard, name);
        if (!name.endsWith('.json')) {
          await rm(path, { force: true });
          continue;
        }
        const file = JSON.parse(await readFile(path, 'utf8')) as KeyFile;
        this.#keys.set(file.key, file.versions);
        for (const version of file.versions) if (version.kind === 'object') referenced.add(version.file);
      }
    }
    for (const name of await readdir(join(this.dir, 'data'))) {
      if (!referenced.has(name)) await rm(join(this.dir, 'data', name), { force: true });
    }
  }

  async #saveConfig(): Promise<void> {
    await writeAtomically(join(this.dir, 'bucket.json'), JSON.stringify(this.#config));
  }

  async setCors(cors: readonly CorsRule[] | undefined): Promise<void> {
    const { cors: _old, ...rest } = this.#config;
    this.#config = cors === undefined ? rest : { ...rest, cors };
    await this.#saveConfig();
  }

  /** A fresh temporary path for a body being received. */
  temporaryPath(): string {
    return join(this.dir, 'tmp', randomUUID());
  }

  dataPath(file: string): string {
    return join(this.dir, 'data', file);
  }

  multipartDir(uploadId: string): string {
    return join(this.dir, 'multipart', uploadId);
  }

  versions(key: string): readonly ObjectVersion[] {
    return this.#keys.get(key) ?? [];
  }

  /** Keys in UTF-8 binary order, as S3 lists them. */
  sortedKeys(): string[] {
    return [...this.#keys.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  /**
   * Runs `change` alone for this key (requests to one key are serialized), then persists what it
   * returns: `adopt` moves received bodies into the data folder before the index names them.
   */
  async update<T extends VersionChange>(key: string, change: (versions: readonly ObjectVersion[]) => Promise<T> | T): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const run = previous.then(async () => {
      const result = await change(this.versions(key));
      await this.#persist(key, result.versions);
      await Promise.all(
        result.removed.filter((v) => v.kind === 'object').map((v) => rm(this.dataPath(v.file), { force: true })),
      );
      return result;
    });
    const settled = run.catch(() => undefined);
    this.#locks.set(key, settled);
    void settled.then(() => {
      if (this.#locks.get(key) === settled) this.#locks.delete(key);
    });
    return run;
  }

  /** Moves a received body into the data folder; returns its data file's name. */
  async adopt(temporaryPath: string): Promise<string> {
    const file = randomUUID();
    await rename(temporaryPath, this.dataPath(file));
    return file;
  }

  async #persist(key: string, versions: readonly ObjectVersion[]): Promise<void> {
    const hash = hashOf(key);
    const dir = join(this.dir, 'index', hash.slice(0, 2));
    const path = join(dir, `${hash}.json`);
    if (versions.length === 0) {
      await rm(path, { force: true });
      this.#keys.delete(key);
      return;
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeAtomically(path, JSON.stringify({ key, versions } satisfies KeyFile));
    this.#keys.set(key, versions);
  }
}

/** Every bucket of the stack, by name. */
export class ObjectStoreBuckets {
  private constructor(readonly byName: ReadonlyMap<string, Bucket>) {}

  static async open(root: string, configs: readonly BucketConfig[]): Promise<ObjectStoreBuckets> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const buckets = await Promise.all(configs.map((config) => Bucket.open(root, config)));
    return new ObjectStoreBuckets(new Map(buckets.map((b) => [b.name, b])));
  }

  get(name: string): Bucket {
    const bucket = this.byName.get(name);
    if (bucket === undefined) throw noSuchBucket(name);
    return bucket;
  }
}
