/**
 * The one domain-to-GraphQL mapping: a stored record becomes the generated `File` shape.
 * AppSync resolves nested fields by property access, so the whole shape is returned here,
 * thumbnails with freshly signed GET URLs.
 */
import type { File } from '../generated/graphql.js';
import type { FileRecord } from './model.js';

export type SignGetUrl = (key: string) => Promise<string>;

export async function toGraphQLFile(record: FileRecord, signGetUrl: SignGetUrl): Promise<File> {
  const thumbnails = await Promise.all(
    record.thumbnails.map(async (thumbnail) => ({
      width: thumbnail.width,
      height: thumbnail.height,
      format: thumbnail.format,
      url: await signGetUrl(thumbnail.key),
    })),
  );
  return {
    id: record.id,
    owner: record.owner,
    fileName: record.fileName,
    contentType: record.contentType,
    size: record.size,
    status: record.status,
    width: record.width,
    height: record.height,
    format: record.format,
    sha256: record.sha256,
    thumbnails,
    error: record.error === null ? null : { ...record.error },
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
