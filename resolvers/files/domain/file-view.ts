/**
 * The one domain-to-GraphQL mapping: a stored record becomes the generated `File` shape.
 * AppSync resolves nested fields by property access, so the whole shape is returned here,
 * thumbnails with freshly signed GET URLs.
 */
import type { File } from '../../generated/graphql.js';
import type { FileRecord } from './model.js';

declare const brand: unique symbol;

/**
 * The mapper of `File` (codegen.yml), so what every resolver returning a File declares: exactly
 * the generated shape, plus a brand that exists only at compile time (nothing is added to the
 * object, and AppSync never sees it). Only toGraphQLFile adds the brand, so a File built
 * anywhere else does not type-check as a resolver's result.
 */
export type FileView = File & { readonly [brand]: 'File' };

export type SignGetUrl = (key: string) => Promise<string>;

export async function toGraphQLFile(record: FileRecord, signGetUrl: SignGetUrl): Promise<FileView> {
  const thumbnails = await Promise.all(
    record.thumbnails.map(async (thumbnail) => ({
      width: thumbnail.width,
      height: thumbnail.height,
      format: thumbnail.format,
      url: await signGetUrl(thumbnail.key),
    })),
  );
  const file: File = {
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
  return file as FileView;
}
