/**
 * The API's use cases. FilesService, the hot path: read one file, list files, describe the
 * upload policy, reserve an upload; it only signs URLs (no call to S3). FileChangesService:
 * reprocess and delete a file, which call S3. Two services so that each Lambda wires only the
 * ports it uses (resolvers/files/handlers/files-api.ts, resolvers/files/handlers/file-changes-api.ts). Depends
 * on ports only; the owner is always the authenticated caller.
 */
import { randomUUID } from 'node:crypto';
import type { CreateUploadInput, ResolversTypes, UploadPolicy } from '../../generated/graphql.js';
import { InternalError, NotFoundError, UnauthorizedException, ValidationError } from '../../shared/errors.js';
import { type FileView, toGraphQLFile } from './file-view.js';
import { fileObjectScopes, isFileId, isKeySafeOwner } from './keys.js';
import { type FileRecord, isTerminal, pendingUpload } from './model.js';
import { decodeFilesToken, encodeFilesToken } from './page-token.js';
import { MAX_UPLOAD_BYTES, THUMBNAIL_URL_TTL_SECONDS, uploadPolicy } from './policy.js';
import type { Clock, FileRepository, ObjectStore, ObjectUrlSigner } from './ports.js';
import { validateCreateUpload, validatePageSize } from './validation.js';

/** The object metadata (`x-amz-meta-correlation-id`) that carries the correlation id into the pipeline. */
export const CORRELATION_METADATA = 'correlation-id';

/** A record as the API returns it, thumbnails with freshly signed GET URLs. */
function viewOf(record: FileRecord, urls: ObjectUrlSigner): Promise<FileView> {
  return toGraphQLFile(record, (key) => urls.presignGet(key, THUMBNAIL_URL_TTL_SECONDS));
}

export interface FilesServiceDeps {
  readonly repository: FileRepository;
  /** Signs the upload's PUT and the thumbnails' GETs. */
  readonly urls: ObjectUrlSigner;
  readonly clock: Clock;
  readonly ticketTtlSeconds: number;
  readonly newId?: () => string;
}

export class FilesService {
  readonly #repository: FileRepository;
  readonly #urls: ObjectUrlSigner;
  readonly #clock: Clock;
  readonly #ticketTtlSeconds: number;
  readonly #newId: () => string;

  constructor(deps: FilesServiceDeps) {
    this.#repository = deps.repository;
    this.#urls = deps.urls;
    this.#clock = deps.clock;
    this.#ticketTtlSeconds = deps.ticketTtlSeconds;
    this.#newId = deps.newId ?? randomUUID;
  }

  uploadPolicy(): UploadPolicy {
    return uploadPolicy(this.#ticketTtlSeconds);
  }

  /** The caller's file, or null when it does not exist or belongs to someone else. */
  async getFile(owner: string, id: string): Promise<FileView | null> {
    if (!isFileId(id)) return null;
    const record = await this.#repository.get(id);
    if (record === null || record.owner !== owner) return null;
    return this.#view(record);
  }

  async listFiles(
    owner: string,
    args: { limit?: number | null; nextToken?: string | null },
  ): Promise<ResolversTypes['FileConnection']> {
    const limit = validatePageSize(args.limit);
    const startAfter =
      args.nextToken === null || args.nextToken === undefined
        ? null
        : decodeFilesToken(args.nextToken, owner);
    const page = await this.#repository.listByOwner(owner, { limit, startAfter });
    return {
      items: await Promise.all(page.items.map((record) => this.#view(record))),
      nextToken: page.lastKey === null ? null : encodeFilesToken(page.lastKey),
    };
  }

  /**
   * Validates, stores the record as PENDING_UPLOAD and signs the PUT. The correlation id (the
   * GraphQL request's) is bound into the PUT as object metadata, so every step of the pipeline
   * logs under it.
   */
  async createUpload(owner: string, input: CreateUploadInput, correlationId: string | null = null): Promise<ResolversTypes['UploadTicket']> {
    if (!isKeySafeOwner(owner)) {
      throw new UnauthorizedException('The caller identity cannot own files');
    }
    const upload = validateCreateUpload(input, MAX_UPLOAD_BYTES);
    const now = this.#clock.now();
    const id = this.#newId();
    const at = now.toISOString();
    const record = pendingUpload({ id, owner, fileName: upload.fileName, contentType: upload.contentType, size: upload.size, at, correlationId });
    await this.#repository.create(record);
    const metadata: Record<string, string> = correlationId === null ? {} : { [CORRELATION_METADATA]: correlationId };
    const uploadUrl = await this.#urls.presignPut({
      key: record.objectKey,
      contentType: upload.contentType,
      contentLength: upload.size,
      expiresInSeconds: this.#ticketTtlSeconds,
      metadata,
      // One object per ticket: a second PUT (or one racing the first) gets 412 and cannot
      // replace the original whose sha256 the record will hold.
      onlyIfAbsent: true,
    });
    return {
      file: await this.#view(record),
      uploadUrl,
      uploadHeaders: JSON.stringify({
        'content-type': upload.contentType,
        'content-length': String(upload.size),
        ...Object.fromEntries(Object.entries(metadata).map(([name, value]) => [`x-amz-meta-${name}`, value])),
        'if-none-match': '*',
      }),
      expiresAt: new Date(now.getTime() + this.#ticketTtlSeconds * 1000).toISOString(),
    };
  }

  #view(record: FileRecord): Promise<FileView> {
    return viewOf(record, this.#urls);
  }
}

export interface FileChangesServiceDeps {
  readonly repository: FileRepository;
  /** Signs the thumbnails' GETs of the file reprocessFile returns. */
  readonly urls: ObjectUrlSigner;
  /** Copies an original onto itself (reprocess) and deletes every version of a file's objects. */
  readonly objects: Pick<ObjectStore, 'copyObject' | 'deleteEveryVersion'>;
  readonly clock: Clock;
  /**
   * The longest a pipeline step may run (STEP_TIMEOUT_SECONDS). A file PROCESSING with no change
   * for longer is stuck and may be reprocessed. @default stuck files cannot be reprocessed
   */
  readonly stepTimeoutMs?: number | undefined;
}

/** What changes a file's objects in S3: reprocessFile and deleteFile. */
export class FileChangesService {
  readonly #repository: FileRepository;
  readonly #urls: ObjectUrlSigner;
  readonly #objects: Pick<ObjectStore, 'copyObject' | 'deleteEveryVersion'>;
  readonly #clock: Clock;
  readonly #stepTimeoutMs: number | undefined;

  constructor(deps: FileChangesServiceDeps) {
    this.#repository = deps.repository;
    this.#urls = deps.urls;
    this.#objects = deps.objects;
    this.#clock = deps.clock;
    this.#stepTimeoutMs = deps.stepTimeoutMs;
  }

  /**
   * Runs the pipeline again on the original: the record goes back to PROCESSING with its run
   * cleared, then the original is copied onto itself, which is a new version of the object and
   * a new ObjectCreated event (the same path as an upload, with new idempotency keys).
   */
  async reprocessFile(owner: string, id: string, correlationId: string | null = null): Promise<FileView> {
    const record = isFileId(id) ? await this.#repository.get(id) : null;
    if (record === null || record.owner !== owner) throw new NotFoundError(`No file ${id}`);
    const now = this.#clock.now();
    const stuckBefore = this.#stepTimeoutMs === undefined ? undefined : new Date(now.getTime() - this.#stepTimeoutMs).toISOString();
    const stuck = record.status === 'PROCESSING' && record.sequencer !== null && stuckBefore !== undefined && record.updatedAt < stuckBefore;
    if (!isTerminal(record.status) && !stuck) {
      throw new ValidationError(
        `File ${id} is ${record.status}; only a READY or FAILED file, or one PROCESSING for longer than its steps' time limit, can be reprocessed`,
      );
    }
    if (record.quarantineKey !== null) {
      throw new ValidationError(`File ${id} was rejected (${record.error?.code ?? 'FAILED'}) and its original is in quarantine; upload it again instead`);
    }
    const at = now.toISOString();
    const reset = await this.#repository.resetForReprocess(id, owner, correlationId ?? record.correlationId ?? id, at, stuckBefore);
    if (reset === null) throw new ValidationError(`File ${id} changed meanwhile; try again`);
    try {
      await this.#objects.copyObject({
        from: record.objectKey,
        to: record.objectKey,
        metadata: { [CORRELATION_METADATA]: reset.correlationId ?? id },
      });
    } catch (error) {
      throw new InternalError({ cause: error });
    }
    return viewOf(reset, this.#urls);
  }

  /**
   * Removes the record, then every version of the original, of the sanitized copies, of the
   * thumbnails and of any quarantined copy (a plain delete in the versioned bucket would only
   * hide them, EXIF and GPS included, until the lifecycle rules expire them). By key, not by what
   * the record lists: an earlier run's copies go too. An upload that lands after this (a ticket
   * used late) finds no record, and the pipeline removes it (PipelineSteps).
   */
  async deleteFile(owner: string, id: string): Promise<string> {
    const record = isFileId(id) ? await this.#repository.delete(id, owner) : null;
    if (record === null) throw new NotFoundError(`No file ${id}`);
    await Promise.all(fileObjectScopes(record.owner, record.id).map((scope) => this.#objects.deleteEveryVersion(scope)));
    return record.id;
  }
}
