/**
 * The API's use cases: read one file, list files, describe the upload policy, reserve an
 * upload. Depends on ports only; the owner is always the authenticated caller.
 */
import { randomUUID } from 'node:crypto';
import type {
  CreateUploadInput,
  File,
  FileConnection,
  UploadPolicy,
  UploadTicket,
} from '../generated/graphql.js';
import { UnauthorizedException } from '../shared/errors.js';
import { toGraphQLFile } from './file-view.js';
import { isFileId, isKeySafeOwner, originalKey } from './keys.js';
import type { FileRecord } from './model.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { MAX_UPLOAD_BYTES, THUMBNAIL_URL_TTL_SECONDS, uploadPolicy } from './policy.js';
import type { Clock, FileRepository, ObjectStore } from './ports.js';
import { validateCreateUpload, validatePageSize } from './validation.js';

export interface FilesServiceDeps {
  readonly repository: FileRepository;
  readonly objectStore: ObjectStore;
  readonly clock: Clock;
  readonly ticketTtlSeconds: number;
  readonly newId?: () => string;
}

export class FilesService {
  readonly #repository: FileRepository;
  readonly #objectStore: ObjectStore;
  readonly #clock: Clock;
  readonly #ticketTtlSeconds: number;
  readonly #newId: () => string;

  constructor(deps: FilesServiceDeps) {
    this.#repository = deps.repository;
    this.#objectStore = deps.objectStore;
    this.#clock = deps.clock;
    this.#ticketTtlSeconds = deps.ticketTtlSeconds;
    this.#newId = deps.newId ?? randomUUID;
  }

  uploadPolicy(): UploadPolicy {
    return uploadPolicy(this.#ticketTtlSeconds);
  }

  /** The caller's file, or null when it does not exist or belongs to someone else. */
  async getFile(owner: string, id: string): Promise<File | null> {
    if (!isFileId(id)) return null;
    const record = await this.#repository.get(id);
    if (record === null || record.owner !== owner) return null;
    return this.#view(record);
  }

  async listFiles(
    owner: string,
    args: { limit?: number | null; nextToken?: string | null },
  ): Promise<FileConnection> {
    const limit = validatePageSize(args.limit);
    const startAfter =
      args.nextToken === null || args.nextToken === undefined
        ? null
        : decodePageToken(args.nextToken, owner);
    const page = await this.#repository.listByOwner(owner, { limit, startAfter });
    return {
      items: await Promise.all(page.items.map((record) => this.#view(record))),
      nextToken: page.lastKey === null ? null : encodePageToken(page.lastKey),
    };
  }

  /** Validates, stores the record as PENDING_UPLOAD and signs the PUT. */
  async createUpload(owner: string, input: CreateUploadInput): Promise<UploadTicket> {
    if (!isKeySafeOwner(owner)) {
      throw new UnauthorizedException('The caller identity cannot own files');
    }
    const upload = validateCreateUpload(input, MAX_UPLOAD_BYTES);
    const now = this.#clock.now();
    const id = this.#newId();
    const at = now.toISOString();
    const record: FileRecord = {
      id,
      owner,
      fileName: upload.fileName,
      contentType: upload.contentType,
      size: upload.size,
      status: 'PENDING_UPLOAD',
      objectKey: originalKey(owner, id),
      width: null,
      height: null,
      format: null,
      sha256: null,
      thumbnails: [],
      error: null,
      createdAt: at,
      updatedAt: at,
    };
    await this.#repository.create(record);
    const uploadUrl = await this.#objectStore.presignPut({
      key: record.objectKey,
      contentType: upload.contentType,
      contentLength: upload.size,
      expiresInSeconds: this.#ticketTtlSeconds,
    });
    return {
      file: await this.#view(record),
      uploadUrl,
      uploadHeaders: JSON.stringify({
        'content-type': upload.contentType,
        'content-length': String(upload.size),
      }),
      expiresAt: new Date(now.getTime() + this.#ticketTtlSeconds * 1000).toISOString(),
    };
  }

  #view(record: FileRecord): Promise<File> {
    return toGraphQLFile(record, (key) =>
      this.#objectStore.presignGet(key, THUMBNAIL_URL_TTL_SECONDS),
    );
  }
}
