/**
 * Executions kept on disk, one JSON file each, so that history stays queryable and execution
 * names stay taken across restarts of the local stack (as Step Functions keeps a standard
 * execution's name for 90 days), and a running execution goes on after a restart. Written when
 * an execution starts, when it enters a top-level state, when a task starts waiting or is
 * answered, and when it closes.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionRecord } from './records.js';

export interface ExecutionStore {
  load(): Promise<ExecutionRecord[]>;
  save(record: ExecutionRecord): Promise<void>;
}

export function fileExecutionStore(directory: string): ExecutionStore {
  const fileOf = (record: ExecutionRecord) =>
    join(directory, `${Buffer.from(record.executionArn).toString('base64url')}.json`);
  return {
    async load() {
      await mkdir(directory, { recursive: true });
      const records: ExecutionRecord[] = [];
      for (const name of await readdir(directory)) {
        if (!name.endsWith('.json')) continue;
        try {
          records.push(JSON.parse(await readFile(join(directory, name), 'utf8')) as ExecutionRecord);
        } catch {
          // A file cut short by a crash: the execution is lost, as an interrupted write would lose it.
        }
      }
      return records;
    },
    async save(record) {
      await mkdir(directory, { recursive: true });
      const file = fileOf(record);
      // Written aside and renamed, so a reader never sees half a file; the aside name is unique,
      // so two writes of one execution cannot trip over each other.
      const aside = `${file}.${process.pid}.${randomUUID()}.tmp`;
      await writeFile(aside, JSON.stringify(record));
      await rename(aside, file);
    },
  };
}

export const memoryExecutionStore = (): ExecutionStore => ({
  load: async () => [],
  save: async () => undefined,
});

const SAVE_DELAY_MS = 100;

/** Writes records through a store, each record's writes in order. */
export class RecordSaver {
  readonly #saving = new Map<string, Promise<void>>();
  /** Records with a save a moment away: a flush writes them at once. */
  readonly #scheduled = new Map<string, { readonly record: ExecutionRecord; readonly timer: NodeJS.Timeout }>();

  constructor(
    private readonly store: ExecutionStore,
    private readonly log: (line: string) => void,
  ) {}

  #closed = false;

  /** Saves in order: a save starts once the previous save of the same execution is done. */
  save(record: ExecutionRecord): void {
    // After the stop, the state folder is the next start's: a late change of a stopped run is not kept.
    if (this.#closed) return;
    const previous = this.#saving.get(record.executionArn) ?? Promise.resolve();
    const next = previous
      .then(() => this.store.save(record))
      .catch((error: unknown) => this.log(`stepfunctions: could not save ${record.executionArn}: ${String(error)}`));
    this.#saving.set(record.executionArn, next);
    void next.finally(() => {
      if (this.#saving.get(record.executionArn) === next) this.#saving.delete(record.executionArn);
    });
  }

  /** Saves now, after any earlier save of the record; resolves once written. */
  async saveNow(record: ExecutionRecord): Promise<void> {
    this.save(record);
    await this.#saving.get(record.executionArn);
  }

  /** Saves a moment later, once for many changes. */
  saveSoon(record: ExecutionRecord): void {
    if (this.#scheduled.has(record.executionArn)) return;
    const timer = setTimeout(() => {
      this.#scheduled.delete(record.executionArn);
      this.save(record);
    }, SAVE_DELAY_MS);
    timer.unref();
    this.#scheduled.set(record.executionArn, { record, timer });
  }

  /** Writes what is pending, then keeps nothing more: the stack stops. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  /** Writes the records waiting for a save now, and resolves when every save is done. */
  async flush(): Promise<void> {
    for (const [arn, { record, timer }] of this.#scheduled) {
      clearTimeout(timer);
      this.#scheduled.delete(arn);
      this.save(record);
    }
    await Promise.all([...this.#saving.values()]);
  }
}
