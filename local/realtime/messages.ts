/**
 * AppSync's real-time protocol (subprotocol `graphql-ws`, AppSync's own: not the
 * `graphql-transport-ws` protocol of the npm package graphql-ws) as a discriminated union of
 * client and server messages, validated at the boundary by `parseClientMessage`.
 *
 * Validation decisions where AppSync's docs are silent:
 * - A frame that is not JSON, or JSON that is not an object, gets
 *   `{type:'error', payload:{errors:[{errorType:'BadRequestException', message}]}}` and the
 *   connection stays open (one bad frame does not cost the client its other subscriptions).
 * - A missing or non-string `type` is a BadRequestException naming the field; an unknown type is
 *   `UnsupportedOperation` with AppSync's observed wording `<type> not supported through the
 *   realtime channel`.
 * - A `start`/`stop` without a non-empty string `id`, or a `start` whose `payload.data` is not a
 *   string, is a BadRequestException naming the field (`id`, `payload`, `payload.data`, ...).
 *   The error carries the message's `id` whenever one could be read.
 */
import type { AppSyncError, SubscriptionPayload } from '../contracts.js';

/** The WebSocket subprotocol AppSync speaks. */
export const PROTOCOL = 'graphql-ws';

/** The `errorType`s the real-time endpoint answers with. */
export const RealtimeErrorType = {
  Unauthorized: 'UnauthorizedException',
  BadRequest: 'BadRequestException',
  UnsupportedOperation: 'UnsupportedOperation',
  DuplicatedOperation: 'DuplicatedOperationError',
  MaxSubscriptionsReached: 'MaxSubscriptionsReachedError',
  InternalFailure: 'InternalFailureException',
} as const;

/**
 * Close codes this server uses. AppSync does not document its own; 4400/4401/4408 follow the
 * graphql-ws convention (4000 + the HTTP status) so a reader of a packet trace can guess them.
 */
export enum CloseCode {
  Normal = 1000,
  /** Server shutting down, or the connection reached its maximum lifetime (24 h at AppSync). */
  GoingAway = 1001,
  InternalError = 1011,
  /** The handshake's `header` could not be decoded. */
  BadRequest = 4400,
  /** Handshake authorization failed (wrong or missing `host`, or credentials rejected). */
  Unauthorized = 4401,
  /** No `connection_init` arrived within `initTimeoutMs`. */
  ConnectionInitTimeout = 4408,
}

// ---------------------------------------------------------------- client -> server

export interface ConnectionInitMessage {
  readonly type: 'connection_init';
  readonly payload?: unknown;
}

export interface StartPayload {
  /** JSON string of `{query, variables, operationName?}`; IAM signs exactly this string. */
  readonly data: string;
  readonly extensions?: {
    readonly authorization?: Readonly<Record<string, unknown>>;
  };
}

export interface StartMessage {
  readonly type: 'start';
  readonly id: string;
  readonly payload: StartPayload;
}

export interface StopMessage {
  readonly type: 'stop';
  readonly id: string;
}

export type ClientMessage = ConnectionInitMessage | StartMessage | StopMessage;

// ---------------------------------------------------------------- server -> client

export interface ConnectionAckMessage {
  readonly type: 'connection_ack';
  readonly payload: { readonly connectionTimeoutMs: number };
}

export interface ConnectionErrorMessage {
  readonly type: 'connection_error';
  readonly payload: { readonly errors: readonly AppSyncError[] };
}

export interface KeepAliveMessage {
  readonly type: 'ka';
}

export interface StartAckMessage {
  readonly type: 'start_ack';
  readonly id: string;
}

export interface DataMessage {
  readonly type: 'data';
  readonly id: string;
  readonly payload: SubscriptionPayload;
}

export interface CompleteMessage {
  readonly type: 'complete';
  readonly id: string;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly id?: string;
  readonly payload: { readonly errors: readonly AppSyncError[] };
}

export type ServerMessage =
  | ConnectionAckMessage
  | ConnectionErrorMessage
  | KeepAliveMessage
  | StartAckMessage
  | DataMessage
  | CompleteMessage
  | ErrorMessage;

export function serializeServerMessage(message: ServerMessage): string {
  return JSON.stringify(message);
}

/** `ka` is sent to every connection every minute; serialize it once. */
export const KEEP_ALIVE_FRAME = serializeServerMessage({ type: 'ka' });

/**
 * The start of a `data` frame for one subscription; append the payload's JSON and `}`.
 * Lets a delivery cost one string concatenation instead of a `JSON.stringify` per subscriber.
 */
export function dataFramePrefix(id: string): string {
  return `{"type":"data","id":${JSON.stringify(id)},"payload":`;
}

// ---------------------------------------------------------------- validation

export type ParseResult =
  | { readonly ok: true; readonly message: ClientMessage }
  | { readonly ok: false; readonly error: AppSyncError; readonly id?: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badRequest(message: string, id?: string): ParseResult {
  const error: AppSyncError = { errorType: RealtimeErrorType.BadRequest, message };
  return id === undefined ? { ok: false, error } : { ok: false, error, id };
}

function readId(value: Record<string, unknown>): string | undefined {
  const id = value['id'];
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** Validates one text frame from a client. Never throws. */
export function parseClientMessage(raw: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return badRequest('Message is not valid JSON');
  }
  if (!isRecord(value)) {
    return badRequest('Message must be a JSON object');
  }
  const type = value['type'];
  if (typeof type !== 'string') {
    return badRequest('Message field "type" must be a string', readId(value));
  }
  switch (type) {
    case 'connection_init':
      return {
        ok: true,
        message:
          value['payload'] === undefined
            ? { type }
            : { type, payload: value['payload'] },
      };
    case 'start':
      return parseStart(value);
    case 'stop': {
      const id = readId(value);
      if (id === undefined) {
        return badRequest('Message field "id" must be a non-empty string');
      }
      return { ok: true, message: { type, id } };
    }
    default: {
      const error: AppSyncError = {
        errorType: RealtimeErrorType.UnsupportedOperation,
        message: `${type} not supported through the realtime channel`,
      };
      const id = readId(value);
      return id === undefined ? { ok: false, error } : { ok: false, error, id };
    }
  }
}

function parseStart(value: Record<string, unknown>): ParseResult {
  const id = readId(value);
  if (id === undefined) {
    return badRequest('Message field "id" must be a non-empty string');
  }
  const payload = value['payload'];
  if (!isRecord(payload)) {
    return badRequest('Message field "payload" must be an object', id);
  }
  const data = payload['data'];
  if (typeof data !== 'string') {
    return badRequest(
      'Message field "payload.data" must be a JSON string of {query, variables}',
      id,
    );
  }
  const extensions = payload['extensions'];
  if (extensions === undefined || extensions === null) {
    return { ok: true, message: { type: 'start', id, payload: { data } } };
  }
  if (!isRecord(extensions)) {
    return badRequest('Message field "payload.extensions" must be an object', id);
  }
  const authorization = extensions['authorization'];
  if (authorization === undefined || authorization === null) {
    return { ok: true, message: { type: 'start', id, payload: { data, extensions: {} } } };
  }
  if (!isRecord(authorization)) {
    return badRequest(
      'Message field "payload.extensions.authorization" must be an object',
      id,
    );
  }
  return {
    ok: true,
    message: { type: 'start', id, payload: { data, extensions: { authorization } } },
  };
}
