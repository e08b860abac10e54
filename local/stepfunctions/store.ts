/**
 * Executions kept on disk, one JSON file each, so that history stays queryable and execution
 * names stay taken across restarts of the local stack (as Step Functions keeps a standard
 * execution's name for 90 days). Written when an execution starts and when it closes.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionRecord } from './service.js';

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
