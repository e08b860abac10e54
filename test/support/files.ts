/** The file operations the tests send, and the upload step a client performs. */

export const FILE_FIELDS = `
  id owner fileName contentType size status width height format sha256
  thumbnails { width height format url }
  error { code message step }
  createdAt updatedAt`;

export const CREATE_UPLOAD = `mutation CreateUpload($input: CreateUploadInput!) {
  createUpload(input: $input) { file { ${FILE_FIELDS} } uploadUrl uploadHeaders expiresAt }
}`;

export const FILE = `query File($id: ID!) { file(id: $id) { ${FILE_FIELDS} } }`;

export const FILES = `query Files($limit: Int, $nextToken: String) {
  files(limit: $limit, nextToken: $nextToken) { items { ${FILE_FIELDS} } nextToken }
}`;

export const ON_FILE_EVENT = `subscription OnFileEvent($fileId: ID) {
  onFileEvent(fileId: $fileId) { fileId owner status step message at }
}`;

export const PUBLISH_FILE_EVENT = `mutation Publish($input: PublishFileEventInput!) {
  publishFileEvent(input: $input) { fileId owner status step message at }
}`;

export interface Ticket {
  readonly file: { readonly id: string; readonly owner: string; readonly status: string };
  readonly uploadUrl: string;
  readonly uploadHeaders: string | null;
  readonly expiresAt: string;
}

/** PUTs the bytes to the ticket's signed URL with exactly the headers the ticket names. */
export function putUpload(ticket: Ticket, bytes: Buffer): Promise<Response> {
  const headers = JSON.parse(ticket.uploadHeaders ?? '{}') as Record<string, string>;
  return fetch(ticket.uploadUrl, { method: 'PUT', headers, body: bytes });
}
