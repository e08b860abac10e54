/**
 * The operations the bench sends, from the client's generated documents (client/operations/),
 * so that a schema change that breaks them fails codegen instead of a bench run. Printed compact,
 * as a load generator sends a fixed body: whitespace is not what the figures measure.
 */
import { type DocumentNode, print, stripIgnoredCharacters } from 'graphql';
import {
  CreateUploadDocument,
  FileDocument,
  FilesDocument,
  OnFileEventDocument,
  PlaceOrderDocument,
  PublishFileEventDocument,
} from '../../client/generated/operations.js';

const compact = (document: DocumentNode): string => stripIgnoredCharacters(print(document));

export const OPERATIONS = {
  createUpload: compact(CreateUploadDocument),
  file: compact(FileDocument),
  files: compact(FilesDocument),
  placeOrder: compact(PlaceOrderDocument),
  onFileEvent: compact(OnFileEventDocument),
  publishFileEvent: compact(PublishFileEventDocument),
} as const;
