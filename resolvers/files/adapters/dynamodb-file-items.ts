/**
 * File records as DynamoDB items: absent optional fields are not stored (rather than stored as
 * NULL) and read back as null; each required step's state is a top-level attribute; an item that
 * is not a file record is a CorruptFileRecordError.
 */
import { type Item, withoutNulls } from '../../shared/dynamodb.js';
import {
  FILE_STATUSES,
  type FileErrorRecord,
  type FileListKey,
  type FileRecord,
  type FileStatus,
  REQUIRED_STEPS,
  type RequiredStep,
  type StepState,
  type ThumbnailRecord,
} from '../domain/model.js';

/** Each step's state is a top-level attribute (a nested path could not be SET on items without the parent map). */
export const STEP_ATTRIBUTE: Record<RequiredStep, string> = { PROCESS: 'stepProcess', THUMBNAIL: 'stepThumbnail' };

/** A stored item that is not a file record (hand-edited, or written by another version). */
export class CorruptFileRecordError extends Error {
  override name = 'CorruptFileRecordError';
}

/** What a page token carries of a record: its key in the owner's newest-first listing. */
export function listKeyOf(record: FileRecord): FileListKey {
  return { id: record.id, owner: record.owner, createdAt: record.createdAt };
}

export function fileToItem(record: FileRecord): Item {
  const { steps, ...rest } = record;
  return withoutNulls({
    ...rest,
    ...Object.fromEntries(REQUIRED_STEPS.map((step) => [STEP_ATTRIBUTE[step], steps[step] ? { ...steps[step] } : null])),
    thumbnails: record.thumbnails.map((t) => ({ ...t })),
    error: record.error === null ? null : withoutNulls({ ...record.error }),
  });
}

export function fileFromItem(item: Item): FileRecord {
  const str = (name: string): string => {
    const value = item[name];
    if (typeof value !== 'string') throw new CorruptFileRecordError(`Item attribute ${name} is not a string`);
    return value;
  };
  const optStr = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const optNum = (value: unknown): number | null => (typeof value === 'number' ? value : null);
  const status = str('status');
  if (!(FILE_STATUSES as readonly string[]).includes(status)) {
    throw new CorruptFileRecordError(`Item status ${status} is not a file status`);
  }
  const size = item['size'];
  if (typeof size !== 'number') throw new CorruptFileRecordError('Item attribute size is not a number');
  return {
    id: str('id'),
    owner: str('owner'),
    fileName: str('fileName'),
    contentType: str('contentType'),
    size,
    status: status as FileStatus,
    objectKey: str('objectKey'),
    width: optNum(item['width']),
    height: optNum(item['height']),
    format: optStr(item['format']),
    sha256: optStr(item['sha256']),
    thumbnails: Array.isArray(item['thumbnails']) ? item['thumbnails'].map(toThumbnail) : [],
    error: toFileError(item['error']),
    createdAt: str('createdAt'),
    updatedAt: str('updatedAt'),
    correlationId: optStr(item['correlationId']),
    sequencer: optStr(item['sequencer']),
    supersededSequencer: optStr(item['supersededSequencer']),
    steps: Object.fromEntries(
      REQUIRED_STEPS.flatMap((step) => {
        const state = toStepState(item[STEP_ATTRIBUTE[step]]);
        return state === undefined ? [] : [[step, state]];
      }),
    ),
    sanitizedKey: optStr(item['sanitizedKey']),
    quarantineKey: optStr(item['quarantineKey']),
    notified: optStr(item['notified']),
  };
}

function toStepState(value: unknown): StepState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Item;
  const status = v['status'];
  if (status !== 'RUNNING' && status !== 'DONE' && status !== 'FAILED') return undefined;
  const last = v['lastError'] as Item | undefined;
  return {
    status,
    at: typeof v['at'] === 'string' ? v['at'] : '',
    lastError:
      last && typeof last['name'] === 'string' && typeof last['message'] === 'string'
        ? { name: last['name'], message: last['message'] }
        : null,
  };
}

function toThumbnail(value: unknown): ThumbnailRecord {
  const t = (value ?? {}) as Item;
  if (
    typeof t['key'] !== 'string' ||
    typeof t['width'] !== 'number' ||
    typeof t['height'] !== 'number' ||
    typeof t['format'] !== 'string'
  ) {
    throw new CorruptFileRecordError('Item thumbnail is malformed');
  }
  return { key: t['key'], width: t['width'], height: t['height'], format: t['format'] };
}

function toFileError(value: unknown): FileErrorRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Item;
  return {
    code: typeof e['code'] === 'string' ? e['code'] : 'UNKNOWN',
    message: typeof e['message'] === 'string' ? e['message'] : '',
    step: typeof e['step'] === 'string' ? e['step'] : null,
  };
}
