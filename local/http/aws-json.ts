/**
 * The request side every local AWS JSON endpoint (JSON 1.0 / 1.1, `X-Amz-Target`) shares: a body
 * read with a ceiling, the body parsed as the JSON object the protocol requires, and a SigV4 check
 * whose failures carry the `__type` the AWS SDKs expect. Services keep their own operations,
 * error types and response headers.
 */
import type { IncomingMessage } from 'node:http';
import { type CredentialLookup, type SigningCredential, verifySigV4Request } from '../auth/sigv4.js';

export type JsonObject = Readonly<Record<string, unknown>>;

/** The body as UTF-8, or null once it passes `maxBytes` (the rest is not buffered). */
export async function readBodyUpTo(request: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body as a JSON object (an empty body is `{}`, as the SDKs send for no input); undefined for anything else. */
export function parseJsonObject(raw: string): JsonObject | undefined {
  try {
    const parsed: unknown = raw.trim() === '' ? {} : JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** Single-valued headers as SigV4 verification reads them (nothing hidden: any may be signed). */
export function headerRecord(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

export type SignatureCheck<C extends SigningCredential> =
  | { readonly ok: true; readonly credential: C }
  | { readonly ok: false; readonly status: number; readonly type: string; readonly message: string };

/**
 * A POST signed for `service`: an unknown key is AWS's 400 UnrecognizedClientException, any other
 * fault its 403 InvalidSignatureException.
 */
export async function checkJsonSignature<C extends SigningCredential>(
  request: IncomingMessage,
  body: string,
  lookup: CredentialLookup<C>,
  scope: { readonly service: string; readonly region: string },
): Promise<SignatureCheck<C>> {
  const verified = await verifySigV4Request({ method: 'POST', path: request.url ?? '/', headers: headerRecord(request), body }, lookup, scope);
  if (verified.ok) return verified;
  return verified.kind === 'unknown-key'
    ? { ok: false, status: 400, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }
    : { ok: false, status: 403, type: 'InvalidSignatureException', message: verified.reason };
}
