import type { CreateUploadMutation } from '../../client/generated/operations.js';

/**
 * The upload step a client performs between `createUpload` and the pipeline. The operations
 * themselves are the generated documents of client/operations (`CreateUploadDocument`, …).
 */

export type Ticket = CreateUploadMutation['createUpload'];

/** PUTs the bytes to the ticket's signed URL with exactly the headers the ticket names. */
export function putUpload(ticket: Pick<Ticket, 'uploadUrl' | 'uploadHeaders'>, bytes: Buffer): Promise<Response> {
  const headers = JSON.parse(ticket.uploadHeaders ?? '{}') as Record<string, string>;
  return fetch(ticket.uploadUrl, { method: 'PUT', headers, body: bytes });
}
