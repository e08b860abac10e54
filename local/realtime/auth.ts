/**
 * Turning what a real-time client sends into `AuthRequest`s: once for the WebSocket handshake and
 * once per `start`. Pure functions; no I/O.
 *
 * Handshake forms, first match wins:
 * 1. subprotocol `header-<base64url JSON>` next to `graphql-ws` (current aws-amplify);
 * 2. query string `?header=<base64 JSON>&payload=<base64 "{}">` (older clients, AppSync docs);
 * 3. the upgrade request's own HTTP headers (`host` is then the request's Host header).
 *
 * The header object always needs `host`, which must equal the API's GraphQL host (AppSync checks
 * it against the API the realtime hostname belongs to); the rest are credentials. The handshake's
 * AuthRequest is what IAM signs for it: POST `<graphql path>/connect`, body `{}`. A `start` is
 * POST `<graphql path>` whose body is the `data` string exactly. The GraphQL path is the upgrade's
 * path less `/realtime` (`/graphql` on AppSync), as aws-amplify signs a custom domain's.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AppSyncError, AuthRequest, GraphQLRequest } from '../contracts.js';
import { PROTOCOL, RealtimeErrorType } from './messages.js';

/** What the core needs of an upgrade request; `http.IncomingMessage` maps onto it 1:1. */
export interface HandshakeRequest {
  /** Path and query, as in `IncomingMessage.url`. */
  readonly url: string;
  /** Lower-case names, as Node gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly sourceIp: string;
}

export type HandshakeForm = 'subprotocol' | 'query' | 'headers';

export type CredentialsResult =
  | { readonly ok: true; readonly request: AuthRequest; readonly form: HandshakeForm }
  | { readonly ok: false; readonly error: AppSyncError; readonly reason: string };

export const GRAPHQL_PATH = '/graphql';
const HEADER_SUBPROTOCOL_PREFIX = 'header-';
const REALTIME_SUFFIX = '/realtime';

/**
 * The GraphQL path a real-time URL belongs to: aws-amplify derives a non-AppSync host's real-time
 * URL by appending `/realtime` to the GraphQL URL, and signs IAM requests with the GraphQL path.
 * A path that names no GraphQL endpoint is AppSync's own.
 */
export function graphqlPathOf(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  const graphqlPath = path.endsWith(REALTIME_SUFFIX) ? path.slice(0, -REALTIME_SUFFIX.length) : path;
  return graphqlPath.endsWith(GRAPHQL_PATH) ? graphqlPath : GRAPHQL_PATH;
}

/** AppSync's own wording for any authorization failure; the reason goes to the log. */
export const NOT_AUTHORIZED_MESSAGE = 'You are not authorized to make this call.';

export function unauthorized(): AppSyncError {
  return {
    errorType: RealtimeErrorType.Unauthorized,
    message: NOT_AUTHORIZED_MESSAGE,
    errorCode: 401,
  };
}

function rejected(reason: string, error: AppSyncError = unauthorized()): CredentialsResult {
  return { ok: false, error, reason };
}

/** The subprotocols a client offered, in order (`Sec-WebSocket-Protocol`, comma separated). */
export function offeredProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

export function offersAppSyncProtocol(headers: IncomingHttpHeaders): boolean {
  return offeredProtocols(headers).includes(PROTOCOL);
}

/**
 * Decodes base64 or base64url (padding optional) JSON into an object. A `+` that arrived as a
 * space (an unescaped query string) is put back.
 */
function decodeHeaderObject(encoded: string): Record<string, unknown> | undefined {
  const text = Buffer.from(encoded.replace(/ /g, '+'), 'base64').toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Header names lower-cased, primitive values as strings, anything else dropped. */
export function normalizeHeaders(source: Readonly<Record<string, unknown>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') {
      headers[name.toLowerCase()] = String(value);
    } else if (Array.isArray(value)) {
      headers[name.toLowerCase()] = value.filter((v) => typeof v === 'string').join(', ');
    }
  }
  return headers;
}

function hostMatches(host: string | undefined, expectedHosts: readonly string[]): string | undefined {
  if (host === undefined || host.length === 0) return 'no "host" in the authorization header';
  const wanted = host.toLowerCase();
  if (expectedHosts.some((h) => h.toLowerCase() === wanted)) return undefined;
  return `host "${host}" is not the API's GraphQL host (${expectedHosts.join(', ')})`;
}

/** Reads the handshake's credentials; the result is ready for `Authenticator.authenticate`. */
export function readHandshakeCredentials(
  request: HandshakeRequest,
  expectedHosts: readonly string[],
): CredentialsResult {
  let form: HandshakeForm;
  let headers: Record<string, string>;

  const fromSubprotocol = offeredProtocols(request.headers).find((p) =>
    p.startsWith(HEADER_SUBPROTOCOL_PREFIX),
  );
  const query = new URL(request.url, 'http://realtime.invalid').searchParams.get('header');

  if (fromSubprotocol !== undefined || query !== null) {
    form = fromSubprotocol !== undefined ? 'subprotocol' : 'query';
    const encoded =
      fromSubprotocol !== undefined
        ? fromSubprotocol.slice(HEADER_SUBPROTOCOL_PREFIX.length)
        : (query ?? '');
    const decoded = decodeHeaderObject(encoded);
    if (decoded === undefined) {
      const where = form === 'subprotocol' ? 'subprotocol "header-…"' : 'query parameter "header"';
      const message = `The ${where} is not a base64-encoded JSON object`;
      return rejected(message, {
        errorType: RealtimeErrorType.BadRequest,
        message,
        errorCode: 400,
      });
    }
    headers = normalizeHeaders(decoded);
  } else {
    form = 'headers';
    headers = normalizeHeaders(request.headers);
  }

  const hostProblem = hostMatches(headers['host'], expectedHosts);
  if (hostProblem !== undefined) return rejected(`handshake (${form}): ${hostProblem}`);

  return {
    ok: true,
    form,
    request: {
      method: 'POST',
      path: `${graphqlPathOf(request.url)}/connect`,
      headers,
      body: '{}',
      sourceIp: request.sourceIp,
    },
  };
}

/** The AuthRequest for one `start`: `extensions.authorization` over the `data` string. */
export function readStartCredentials(
  authorization: Readonly<Record<string, unknown>>,
  data: string,
  sourceIp: string,
  expectedHosts: readonly string[],
  graphqlPath: string = GRAPHQL_PATH,
): CredentialsResult {
  const headers = normalizeHeaders(authorization);
  const hostProblem = hostMatches(headers['host'], expectedHosts);
  if (hostProblem !== undefined) return rejected(`start: ${hostProblem}`);
  return {
    ok: true,
    form: 'headers',
    request: { method: 'POST', path: graphqlPath, headers, body: data, sourceIp },
  };
}

export type StartDataResult =
  | { readonly ok: true; readonly request: GraphQLRequest }
  | { readonly ok: false; readonly error: AppSyncError };

/** Parses a `start`'s `payload.data` into the GraphQL request it carries. */
export function parseStartData(data: string): StartDataResult {
  const fail = (message: string): StartDataResult => ({
    ok: false,
    error: { errorType: RealtimeErrorType.BadRequest, message },
  });
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return fail('Message field "payload.data" is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('Message field "payload.data" must encode an object {query, variables}');
  }
  const { query, variables, operationName } = value as Record<string, unknown>;
  if (typeof query !== 'string' || query.length === 0) {
    return fail('Message field "payload.data.query" must be a non-empty string');
  }
  if (
    variables !== undefined &&
    variables !== null &&
    (typeof variables !== 'object' || Array.isArray(variables))
  ) {
    return fail('Message field "payload.data.variables" must be an object');
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return fail('Message field "payload.data.operationName" must be a string');
  }
  return {
    ok: true,
    request: {
      query,
      variables: (variables ?? null) as Readonly<Record<string, unknown>> | null,
      operationName: operationName ?? null,
    },
  };
}
