import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { isPresignedUrl, type PresignedCredentialLookup, verifyPresignedRequest } from '../auth/presigned-url.js';
import { asPortInUse } from './dual-server.js';

/**
 * The local S3 endpoint: checks what s3rver does not, then hands the request to it in-process
 * (s3rver is a Koa application: its request listener runs on this server's request), so the
 * bytes of an object cross one socket, not two.
 * - A presigned URL (what clients get from `createUpload`) must verify: signature, expiry and
 *   the signed headers' values, so a PUT with another content type or length is refused as S3
 *   refuses it.
 * - A request with an `Authorization` header comes from a function's SDK client. Its signature
 *   is not checked (documented in docs/local-stack.md): only functions hold those credentials.
 * - Anything else is anonymous, and the buckets are private: 403 AccessDenied.
 */
export interface S3GatewayOptions {
  /** s3rver's request listener (`RunningS3rver.handle`). */
  readonly upstream: RequestListener;
  readonly credentials: PresignedCredentialLookup;
}

const s3Error = (response: ServerResponse, status: number, code: string, message: string) => {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
};

const lowerCaseHeaders = (request: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
};

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, PUT, HEAD',
  'access-control-allow-headers': '*',
  'access-control-expose-headers': 'ETag',
};

export function createS3Gateway(options: S3GatewayOptions): { server: Server; listen(port: number): Promise<number> } {
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) s3Error(response, 500, 'InternalError', String(error));
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    if (request.method === 'OPTIONS') {
      response.writeHead(200, CORS_HEADERS);
      response.end();
      return;
    }
    const headers = lowerCaseHeaders(request);
    if (isPresignedUrl(url)) {
      const outcome = await verifyPresignedRequest({ method: request.method ?? 'GET', url, headers }, options.credentials);
      if (!outcome.ok) {
        request.resume();
        s3Error(response, outcome.status, outcome.code, outcome.message);
        return;
      }
    } else if (!headers['authorization']) {
      request.resume();
      s3Error(response, 403, 'AccessDenied', 'Access Denied');
      return;
    }
    if (isPresignedUrl(url)) for (const [name, value] of Object.entries(CORS_HEADERS)) response.setHeader(name, value);
    options.upstream(request, response);
  }

  return {
    server,
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) => reject(asPortInUse(error, port, { service: 'S3' })));
        server.listen(port, '127.0.0.1', () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
  };
}
