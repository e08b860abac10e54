/** In-memory implementations of the files domain's ports, with the same rules as the real ones. */
import type { PublishFileEventInput } from '../../../../resolvers/generated/graphql.js';
import {
  type FileErrorRecord,
  type FileListKey,
  type FileRecord,
  REQUIRED_STEPS,
  type RequiredStep,
  type StepDetails,
  isTerminal,
} from '../../../../resolvers/files/domain/model.js';
import type {
  BeginStepOutcome,
  Clock,
  FileEventPublisher,
  FilePage,
  FileRepository,
  FileStatusMessage,
  NotificationSender,
  ObjectHead,
  ObjectStore,
  PipelineRepository,
  PresignPutRequest,
  StatusPublisher,
  UserNotification,
} from '../../../../resolvers/files/domain/ports.js';
import { ObjectNotFoundError, SizeMismatchError } from '../../../../resolvers/files/domain/errors.js';

export class InMemoryFileRepository implements FileRepository, PipelineRepository {
  readonly records = new Map<string, FileRecord>();
  /** How many times each kind of write changed a record (what "one metadata write" counts). */
  readonly writes: string[] = [];

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

  async delete(id: string, owner: string): Promise<FileRecord | null> {
    const record = this.records.get(id);
    if (!record || record.owner !== owner) return null;
    this.records.delete(id);
    return record;
  }

  async resetForReprocess(id: string, owner: string, correlationId: string, at: string, stuckBefore?: string): Promise<FileRecord | null> {
    const record = this.records.get(id);
    const stuck = record?.status === 'PROCESSING' && stuckBefore !== undefined && record.updatedAt < stuckBefore;
    if (!record || record.owner !== owner || !(isTerminal(record.status) || stuck) || record.quarantineKey !== null || record.sequencer === null) {
      return null;
    }
    const reset: FileRecord = {
      ...record,
      status: 'PROCESSING',
      supersededSequencer: record.sequencer,
      sequencer: null,
      correlationId,
      steps: {},
      error: null,
      notified: null,
      updatedAt: at,
    };
    this.records.set(id, reset);
    return reset;
  }

  async beginStep(id: string, step: RequiredStep, sequencer: string, at: string): Promise<BeginStepOutcome> {
    const r = this.records.get(id);
    if (!r || (r.sequencer !== null && r.sequencer !== sequencer) || r.supersededSequencer === sequencer) return { started: false };
    const state = r.steps[step];
    const open = (r.status === 'PENDING_UPLOAD' || r.status === 'PROCESSING') && (state === undefined || state.status === 'RUNNING');
    const reopen = r.status === 'FAILED' && r.error?.code === 'RETRIES_EXHAUSTED' && r.error.step === step;
    if (!open && !reopen) return { started: false };
    this.records.set(id, {
      ...r,
      status: 'PROCESSING',
      sequencer,
      error: null,
      steps: { ...r.steps, [step]: { status: 'RUNNING', at, lastError: null } },
      updatedAt: at,
    });
    return { started: true, first: state?.status !== 'RUNNING', reopened: r.status === 'FAILED' };
  }

  async recordStepError(id: string, step: RequiredStep, error: { name: string; message: string }): Promise<void> {
    const r = this.records.get(id);
    const state = r?.steps[step];
    if (!r || !state) return;
    this.records.set(id, { ...r, steps: { ...r.steps, [step]: { ...state, lastError: error } } });
  }

  async completeStep(id: string, sequencer: string, done: StepDetails, at: string): Promise<FileRecord | null> {
    const r = this.records.get(id);
    if (!r || r.status !== 'PROCESSING' || r.sequencer !== sequencer || r.steps[done.step]?.status !== 'RUNNING') return null;
    const results =
      done.step === 'PROCESS'
        ? { width: done.details.width, height: done.details.height, format: done.details.format, sha256: done.details.sha256, sanitizedKey: done.details.sanitizedKey }
        : { thumbnails: done.details.thumbnails };
    const updated: FileRecord = { ...r, ...results, steps: { ...r.steps, [done.step]: { status: 'DONE', at, lastError: null } }, updatedAt: at };
    this.records.set(id, updated);
    this.writes.push(`complete:${done.step}:${id}`);
    return updated;
  }

  async markReady(id: string, sequencer: string, at: string): Promise<boolean> {
    const r = this.records.get(id);
    if (!r || r.status !== 'PROCESSING' || r.sequencer !== sequencer || !REQUIRED_STEPS.every((s) => r.steps[s]?.status === 'DONE')) return false;
    this.records.set(id, { ...r, status: 'READY', updatedAt: at });
    this.writes.push(`ready:${id}`);
    return true;
  }

  async markFailed(id: string, sequencer: string | null, error: FileErrorRecord, at: string, quarantineKey?: string): Promise<boolean> {
    const r = this.records.get(id);
    if (!r || (r.status !== 'PENDING_UPLOAD' && r.status !== 'PROCESSING')) return false;
    if (sequencer !== null && r.sequencer !== null && r.sequencer !== sequencer) return false;
    const step = REQUIRED_STEPS.find((s) => s === error.step);
    this.records.set(id, {
      ...r,
      status: 'FAILED',
      error,
      quarantineKey: quarantineKey ?? r.quarantineKey,
      sequencer: sequencer ?? r.sequencer,
      steps: step === undefined ? r.steps : { ...r.steps, [step]: { status: 'FAILED', at, lastError: null } },
      updatedAt: at,
    });
    this.writes.push(`failed:${id}`);
    return true;
  }

  async setQuarantine(id: string, key: string, at: string): Promise<void> {
    const r = this.records.get(id);
    if (r) this.records.set(id, { ...r, quarantineKey: key, updatedAt: at });
  }

  async markNotified(id: string, key: string, at: string): Promise<boolean> {
    const r = this.records.get(id);
    if (!r || r.notified === key) return false;
    this.records.set(id, { ...r, notified: key, updatedAt: at });
    return true;
  }
}

export class InMemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { body: Uint8Array; contentType: string; metadata: Record<string, string> }>();
  readonly presignedPuts: PresignPutRequest[] = [];
  readonly puts: string[] = [];
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
    if (!object) throw new ObjectNotFoundError(key);
    if (object.body.byteLength > options.maxBytes) throw new SizeMismatchError(options.maxBytes, object.body.byteLength);
    return object.body;
  }

  async putObject(request: { key: string; body: Uint8Array; contentType: string }): Promise<void> {
    this.objects.set(request.key, { body: request.body, contentType: request.contentType, metadata: {} });
    this.puts.push(request.key);
  }

  async headObject(key: string): Promise<ObjectHead | null> {
    const object = this.objects.get(key);
    return object ? { size: object.body.byteLength, metadata: object.metadata } : null;
  }

  async copyObject(request: { from: string; to: string; metadata?: Readonly<Record<string, string>> }): Promise<void> {
    const object = this.objects.get(request.from);
    if (!object) throw new ObjectNotFoundError(request.from);
    this.objects.set(request.to, { ...object, metadata: { ...(request.metadata ?? object.metadata) } });
  }

  async deleteObject(key: string): Promise<void> {
    this.objects.delete(key);
  }

  /** Versions are not kept here: every call is recorded, and the object (or objects) removed. */
  readonly versionDeletes: string[] = [];

  async deleteEveryVersion(scope: { readonly key: string } | { readonly prefix: string }): Promise<number> {
    const keys = [...this.objects.keys()].filter((key) => ('key' in scope ? key === scope.key : key.startsWith(scope.prefix)));
    this.versionDeletes.push('key' in scope ? scope.key : scope.prefix);
    for (const key of keys) this.objects.delete(key);
    return keys.length;
  }

  async deleteVersion(key: string, versionId: string | null): Promise<void> {
    this.versionDeletes.push(`${key}@${versionId ?? 'null'}`);
    this.objects.delete(key);
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

export class RecordingStatusPublisher implements StatusPublisher {
  readonly messages: FileStatusMessage[] = [];
  failWith: Error | null = null;
  async publish(message: FileStatusMessage): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.messages.push(message);
  }
}

export class RecordingNotifications implements NotificationSender {
  readonly sent: UserNotification[] = [];
  async send(notification: UserNotification): Promise<void> {
    this.sent.push(notification);
  }
}
