/** In-memory implementations of the files domain's ports, with the same rules as the real ones. */
import type { PublishFileEventInput } from '../../../../resolvers/generated/graphql.js';
import type {
  FileErrorRecord,
  FileListKey,
  FileRecord,
  FileStatus,
  ReadyDetails,
} from '../../../../resolvers/files/model.js';
import type {
  Clock,
  FileEventPublisher,
  FilePage,
  FileRepository,
  ObjectStore,
  PresignPutRequest,
} from '../../../../resolvers/files/ports.js';
import { SizeMismatchError } from '../../../../resolvers/shared/errors.js';

export class InMemoryFileRepository implements FileRepository {
  readonly records = new Map<string, FileRecord>();

  async create(record: FileRecord): Promise<void> {
    if (this.records.has(record.id)) throw new Error(`duplicate id ${record.id}`);
    this.records.set(record.id, record);
  }

  async get(id: string): Promise<FileRecord | null> {
    return this.records.get(id) ?? null;
  }

  async listByOwner(owner: string, options: { limit: number; startAfter?: FileListKey | null }): Promise<FilePage> {
    const mine = [...this.records.values()]
      .filter((r) => r.owner === owner)
      .sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt)));
    const after = options.startAfter;
    const start = after ? mine.findIndex((r) => r.id === after.id) + 1 : 0;
    const items = mine.slice(start, start + options.limit);
    const more = mine.length > start + options.limit;
    const last = items.at(-1);
    return { items, lastKey: more && last ? { id: last.id, owner: last.owner, createdAt: last.createdAt } : null };
  }

  markProcessing(id: string, at: string): Promise<boolean> {
    return this.#transition(id, ['PENDING_UPLOAD', 'PROCESSING'], (r) => ({ ...r, status: 'PROCESSING', updatedAt: at }));
  }

  markReady(id: string, details: ReadyDetails, at: string): Promise<boolean> {
    return this.#transition(id, ['PROCESSING'], (r) => ({
      ...r,
      ...details,
      status: 'READY',
      error: null,
      updatedAt: at,
    }));
  }

  markFailed(id: string, error: FileErrorRecord, at: string): Promise<boolean> {
    return this.#transition(id, ['PROCESSING'], (r) => ({ ...r, status: 'FAILED', error, updatedAt: at }));
  }

  async #transition(id: string, from: FileStatus[], change: (r: FileRecord) => FileRecord): Promise<boolean> {
    const record = this.records.get(id);
    if (!record || !from.includes(record.status)) return false;
    this.records.set(id, change(record));
    return true;
  }
}

export class InMemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { body: Uint8Array; contentType: string }>();
  readonly presignedPuts: PresignPutRequest[] = [];
  /** Make the next getObject calls fail with this (e.g. a transient network error). */
  failGetWith: Error | null = null;

  async presignPut(request: PresignPutRequest): Promise<string> {
    this.presignedPuts.push(request);
    return `https://uploads.example/${request.key}?signed=put`;
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return `https://uploads.example/${key}?signed=get&expires=${expiresInSeconds}`;
  }

  async getObject(key: string, options: { maxBytes: number }): Promise<Uint8Array> {
    if (this.failGetWith) throw this.failGetWith;
    const object = this.objects.get(key);
    if (!object) throw Object.assign(new Error(`NoSuchKey ${key}`), { name: 'NoSuchKey' });
    if (object.body.byteLength > options.maxBytes) throw new SizeMismatchError(options.maxBytes, object.body.byteLength);
    return object.body;
  }

  async putObject(request: { key: string; body: Uint8Array; contentType: string }): Promise<void> {
    this.objects.set(request.key, { body: request.body, contentType: request.contentType });
  }
}

export class RecordingPublisher implements FileEventPublisher {
  readonly events: PublishFileEventInput[] = [];
  failWith: Error | null = null;

  async publish(event: PublishFileEventInput): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.events.push(event);
  }
}

export class FixedClock implements Clock {
  constructor(public current = new Date('2025-01-02T03:04:05.678Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** A log that keeps what it is told, for assertions and silence. */
export class MemoryLog {
  readonly entries: { level: string; message: string; extra: unknown[] }[] = [];
  info(message: string, ...extra: unknown[]): void {
    this.entries.push({ level: 'info', message, extra });
  }
  warn(message: string, ...extra: unknown[]): void {
    this.entries.push({ level: 'warn', message, extra });
  }
  error(message: string, ...extra: unknown[]): void {
    this.entries.push({ level: 'error', message, extra });
  }
}
