import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppSyncError, Authenticator, GraphQLRequest } from '../contracts.js';
import type { RequestContext } from '../graphql/engine.js';

/** The engine as the HTTP endpoint needs it. */
export interface QueryExecutor {
  execute(request: GraphQLRequest, context: RequestContext): Promise<{ data: unknown; errors?: AppSyncError[] }>;
}

export interface GraphQLHandlerOptions {
  readonly authenticator: Authenticator;
  readonly engine: QueryExecutor;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes?: number;
  /** Why a request was refused, with its request id (AppSync's reasons go to CloudWatch, not to the client). */
  readonly log?: (line: string) => void;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-max-age': '86400',
};

// AppSync never exposes the cookie header to resolvers.
const HIDDEN_HEADERS = new Set(['cookie']);

const send = (response: ServerResponse, status: number, body: unknown, requestId: string) => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...CORS,
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  response.end(text);
};

const requestError = (errorType: string, message: string) => ({ errors: [{ errorType, message }] });

class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** The most of a refused body read before answering a connection that closes after the answer. */
const LINGER_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 2_000;

/**
 * Throws away the rest of a refused body, so the client reads the 413 rather than a connection
 * reset. On a keep-alive connection it is drained after the answer. On one that closes after the
 * answer (`Connection: close`, HTTP/1.0), Node closes the socket as soon as the answer is sent,
 * and closing with the body still arriving sends a reset that can reach the client before the
 * 413 does: there the rest is read first (up to LINGER_BYTES or LINGER_MS), then answered.
 */
function discardBody(request: IncomingMessage, response: ServerResponse, alreadyRead: number): Promise<void> {
  request.removeAllListeners('data');
  if (response.shouldKeepAlive || request.readableEnded) {
    request.resume();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let read = alreadyRead;
    const done = () => {
      clearTimeout(timer);
      request.off('data', count).off('end', done).off('close', done).off('error', done);
      resolve();
    };
    const count = (chunk: Buffer) => {
      read += chunk.length;
      if (read > LINGER_BYTES) done();
    };
    const timer = setTimeout(done, LINGER_MS);
    request.on('data', count).on('end', done).on('close', done).on('error', done);
    request.resume();
  });
}

function readBody(request: IncomingMessage, response: ServerResponse, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        refused = true;
        void discardBody(request, response, size).then(() => reject(new BodyTooLargeError(`Request body over ${limit} bytes`)));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', (error) => {
      if (!refused) reject(error);
    });
  });
}

/** Lower-case single-valued headers, the form resolvers and authentication see. */
export function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HIDDEN_HEADERS.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function parseRequest(body: string): GraphQLRequest | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'The request body is not valid JSON.';
  }
  if (Array.isArray(parsed)) return 'Batched requests are not supported: send one operation per request.';
  if (parsed === null || typeof parsed !== 'object') return 'The request body must be a JSON object.';
  const { query, variables, operationName } = parsed as Record<string, unknown>;
  if (typeof query !== 'string') return 'The request has no "query" string.';
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return '"variables" must be a JSON object.';
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return '"operationName" must be a string.';
  }
  return {
    query,
    variables: (variables ?? null) as Record<string, unknown> | null,
    operationName: (operationName ?? null) as string | null,
  };
}

/** POST /graphql with AppSync's status codes and bodies. */
export function createGraphQLHandler(options: GraphQLHandlerOptions) {
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    if (request.method === 'OPTIONS') {
      response.writeHead(200, CORS);
      response.end();
      return;
    }
    if (request.method !== 'POST') {
      request.resume();
      send(response, 405, requestError('BadRequestException', 'Use POST for GraphQL requests.'), requestId);
      return;
    }
    let body: string;
    try {
      // A declared length over the limit is refused before a byte of the body is used.
      const declared = Number(request.headers['content-length']);
      if (declared > limit) {
        await discardBody(request, response, 0);
        throw new BodyTooLargeError(`Request body over ${limit} bytes`);
      }
      body = await readBody(request, response, limit);
    } catch (error) {
      const tooLarge = error instanceof BodyTooLargeError;
      send(response, tooLarge ? 413 : 400, requestError('BadRequestException', tooLarge ? error.message : 'Could not read the request body.'), requestId);
      return;
    }
    const headers = flatHeaders(request);
    const outcome = await options.authenticator.authenticate({
      method: 'POST',
      path: new URL(request.url ?? '/', 'http://local').pathname,
      headers,
      body,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    });
    if (!outcome.ok) {
      options.log?.(`graphql ${requestId}: 401: ${outcome.reason}`);
      send(response, 401, requestError('UnauthorizedException', 'Valid authorization header not provided.'), requestId);
      return;
    }
    const graphQLRequest = parseRequest(body);
    if (typeof graphQLRequest === 'string') {
      send(response, 400, requestError('BadRequestException', graphQLRequest), requestId);
      return;
    }
    const result = await options.engine.execute(graphQLRequest, {
      caller: outcome.caller,
      headers: { ...headers, 'x-amzn-requestid': requestId },
    });
    send(response, 200, result, requestId);
  };
}
