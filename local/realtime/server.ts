/**
 * The transport-agnostic core of the AppSync real-time server. It speaks to sockets only through
 * `RealtimeSocket` (send, close, onMessage; options.ts); `ws.ts` adapts the `ws` library to it.
 *
 * Over 400 lines on purpose: it is one state machine, a connection's, whose every message
 * handler reads and changes the same state, subscriptions and timers; spread over files, those
 * would have to be public, and the order of checks below would no longer read in one place.
 *
 * Lifecycle of one connection, and the decisions where AppSync's docs are silent:
 * - The upgrade is always accepted (when it offers `graphql-ws`); the handshake credentials are
 *   read and authenticated straight away, and the outcome is given in answer to
 *   `connection_init`: `connection_ack {connectionTimeoutMs}` followed at once by `ka`, or
 *   `connection_error` with errors[0] `{errorType:'UnauthorizedException', message:'You are not
 *   authorized to make this call.', errorCode:401}` (BadRequestException/400 when the header cannot
 *   be decoded) and then a close (4401 / 4400). This is what clients observe at AppSync, and
 *   aws-amplify treats errorCode 400/401/403 as final. The reason is logged, not sent.
 * - No `connection_init` within `initTimeoutMs`: `connection_error` BadRequestException/400
 *   naming the timeout, then close 4408.
 * - Messages that arrive while `connection_init` is being authenticated are queued and handled
 *   after the ack, in order. A second `connection_init` after the ack is acknowledged again.
 * - `start` before the ack: error BadRequestException with the id; the connection stays open.
 * - `start` checks, in order: ack received, duplicate id (pending or active; the first one is
 *   kept), subscription limit (pending + active), `payload.data` shape,
 *   `extensions.authorization` present, `host` in it, the Authenticator, then the engine. The id is
 *   reserved from the moment the `start` is accepted, so a quick duplicate is still a duplicate.
 * - Events the engine delivers before `start_ack` has been sent are dropped ("live only from
 *   start_ack").
 * - `stop` of an unknown or already stopped id still answers `complete` (idempotent). `stop` of a
 *   subscription still being authorized answers `complete` at once; the late subscription is then
 *   unsubscribed and no `start_ack` is sent.
 * - An invalidation (`extensions.invalidateSubscriptions` matching the subscription's
 *   invalidation filter) sends `complete` for the id and ends the subscription; the connection
 *   and its other subscriptions stay.
 * - A payload whose JSON exceeds `maxPayloadBytes` is dropped for every subscriber and logged once
 *   per payload object (payloads.ts).
 */
import type { AppSyncError, AuthOutcome, Caller, SubscriptionEngine, SubscriptionPayload } from '../contracts.js';
import {
  type HandshakeRequest,
  graphqlPathOf,
  parseStartData,
  readHandshakeCredentials,
  readStartCredentials,
  unauthorized,
} from './auth.js';
import {
  CloseCode,
  KEEP_ALIVE_FRAME,
  RealtimeErrorType,
  type StartMessage,
  type StopMessage,
  dataFramePrefix,
  parseClientMessage,
  serializeServerMessage,
} from './messages.js';
import { type RealtimeCore, type RealtimeOptions, type RealtimeSocket, type ResolvedOptions, resolveOptions } from './options.js';
import { type PayloadSerializer, makePayloadSerializer } from './payloads.js';

export {
  REALTIME_DEFAULTS,
  type GraphqlHostOption,
  type RealtimeCore,
  type RealtimeEngine,
  type RealtimeLogger,
  type RealtimeOptions,
  type RealtimeSocket,
} from './options.js';

export function makeRealtimeCore(options: RealtimeOptions): RealtimeCore {
  const resolved = resolveOptions(options);
  const serialize = makePayloadSerializer(resolved.maxPayloadBytes, resolved.log);
  const connections = new Set<Connection>();

  return {
    opened(socket, request) {
      const connection = new Connection(socket, request, resolved, serialize);
      connections.add(connection);
      return (code, reason) => {
        connections.delete(connection);
        connection.closed(code, reason);
      };
    },
    closeAll(code, reason) {
      for (const connection of connections) connection.close(code, reason);
    },
    get connectionCount() {
      return connections.size;
    },
  };
}

interface Subscription {
  state: 'pending' | 'active' | 'stopped';
  unsubscribe: (() => void) | undefined;
}

/** Re-reads the state after an `await` (where TypeScript would keep an earlier narrowing). */
function isStopped(subscription: Subscription): boolean {
  return subscription.state === 'stopped';
}

type ConnectionState = 'awaiting_init' | 'initializing' | 'acked' | 'closed';

class Connection {
  private state: ConnectionState = 'awaiting_init';
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly queued: string[] = [];
  private readonly handshake: Promise<AuthOutcome & { error?: AppSyncError }>;
  private readonly hosts: readonly string[];
  private initTimer: NodeJS.Timeout | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private readonly lifetimeTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: RealtimeSocket,
    private readonly request: HandshakeRequest,
    private readonly options: ResolvedOptions,
    private readonly serialize: PayloadSerializer,
  ) {
    this.hosts = options.expectedHosts(request);
    this.handshake = this.authenticateHandshake();
    this.initTimer = setTimeout(() => this.onInitTimeout(), options.initTimeoutMs);
    this.initTimer.unref();
    this.lifetimeTimer = setTimeout(
      () => this.close(CloseCode.GoingAway, 'Connection reached its maximum duration'),
      options.maxConnectionDurationMs,
    );
    this.lifetimeTimer.unref();
    socket.onMessage((data) => this.onMessage(data));
  }

  // -------------------------------------------------------------- lifecycle

  /** Server-initiated close. */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.socket.close(code, reason);
    this.closed(code, reason);
  }

  /** The socket is gone (either side closed it): release everything. */
  closed(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.initTimer);
    clearInterval(this.keepAliveTimer);
    clearTimeout(this.lifetimeTimer);
    for (const subscription of this.subscriptions.values()) this.stopSubscription(subscription);
    this.subscriptions.clear();
    this.queued.length = 0;
    this.options.log.debug('connection closed', { code, reason });
  }

  /** A bug on our side: log it and drop the connection rather than leave it half-served. */
  private fatal(cause: unknown): void {
    this.options.log.error('internal error; closing the connection', { cause: String(cause) });
    this.close(CloseCode.InternalError, 'Internal error');
  }

  private send(frame: string): void {
    if (this.state !== 'closed') this.socket.send(frame);
  }

  private sendError(id: string | undefined, errors: readonly AppSyncError[]): void {
    this.send(
      serializeServerMessage(
        id === undefined
          ? { type: 'error', payload: { errors } }
          : { type: 'error', id, payload: { errors } },
      ),
    );
  }

  private rejectConnection(error: AppSyncError, code: CloseCode, reason: string): void {
    this.send(serializeServerMessage({ type: 'connection_error', payload: { errors: [error] } }));
    this.close(code, reason);
  }

  private async authenticateHandshake(): Promise<AuthOutcome & { error?: AppSyncError }> {
    try {
      const credentials = readHandshakeCredentials(this.request, this.hosts);
      if (!credentials.ok) {
        return { ok: false, reason: credentials.reason, error: credentials.error };
      }
      return await this.options.authenticator.authenticate(credentials.request);
    } catch (cause) {
      this.options.log.error('authenticator threw during the handshake', { cause: String(cause) });
      return { ok: false, reason: 'authenticator failed' };
    }
  }

  private onInitTimeout(): void {
    if (this.state !== 'awaiting_init') return;
    const ms = this.options.initTimeoutMs;
    this.options.log.info('no connection_init received; closing', { initTimeoutMs: ms });
    this.rejectConnection(
      {
        errorType: RealtimeErrorType.BadRequest,
        message: `connection_init was not received within ${ms} ms`,
        errorCode: 400,
      },
      CloseCode.ConnectionInitTimeout,
      'Connection initialisation timeout',
    );
  }

  // -------------------------------------------------------------- messages

  private onMessage(raw: string): void {
    if (this.state === 'closed') return;
    if (this.state === 'initializing') {
      this.queued.push(raw);
      return;
    }
    this.handle(raw);
  }

  private handle(raw: string): void {
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      this.options.log.debug('invalid client message', { error: parsed.error.message });
      this.sendError(parsed.id, [parsed.error]);
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'connection_init':
        this.onConnectionInit().catch((cause: unknown) => this.fatal(cause));
        return;
      case 'start':
        this.onStart(message);
        return;
      case 'stop':
        this.onStop(message);
        return;
    }
  }

  private ack(): void {
    this.send(
      serializeServerMessage({
        type: 'connection_ack',
        payload: { connectionTimeoutMs: this.options.connectionTimeoutMs },
      }),
    );
  }

  private async onConnectionInit(): Promise<void> {
    if (this.state === 'acked') {
      this.ack();
      return;
    }
    this.state = 'initializing';
    clearTimeout(this.initTimer);
    this.initTimer = undefined;

    const outcome = await this.handshake;
    if (this.state !== 'initializing') return; // closed meanwhile
    if (!outcome.ok) {
      this.options.log.warn('handshake rejected', { reason: outcome.reason });
      const error = outcome.error ?? unauthorized();
      const badRequest = error.errorType === RealtimeErrorType.BadRequest;
      this.rejectConnection(
        error,
        badRequest ? CloseCode.BadRequest : CloseCode.Unauthorized,
        badRequest ? 'Bad request' : 'Unauthorized',
      );
      return;
    }

    this.state = 'acked';
    this.ack();
    this.send(KEEP_ALIVE_FRAME);
    this.keepAliveTimer = setInterval(() => this.send(KEEP_ALIVE_FRAME), this.options.keepAliveMs);
    this.keepAliveTimer.unref();

    const queued = this.queued.splice(0);
    for (const raw of queued) {
      if (this.state !== 'acked') return;
      this.handle(raw);
    }
  }

  private onStart(message: StartMessage): void {
    const { id } = message;
    if (this.state !== 'acked') {
      this.sendError(id, [
        {
          errorType: RealtimeErrorType.BadRequest,
          message: 'connection_init must be sent and acknowledged before start',
        },
      ]);
      return;
    }
    if (this.subscriptions.has(id)) {
      this.sendError(id, [
        {
          errorType: RealtimeErrorType.DuplicatedOperation,
          message: `Duplicated operation with id ${id}`,
        },
      ]);
      return;
    }
    const max = this.options.maxSubscriptionsPerConnection;
    if (this.subscriptions.size >= max) {
      this.sendError(id, [
        {
          errorType: RealtimeErrorType.MaxSubscriptionsReached,
          message: `Max number of ${max} subscriptions reached`,
        },
      ]);
      return;
    }
    const data = parseStartData(message.payload.data);
    if (!data.ok) {
      this.sendError(id, [data.error]);
      return;
    }
    const authorization = message.payload.extensions?.authorization;
    if (authorization === undefined) {
      this.sendError(id, [
        {
          errorType: RealtimeErrorType.Unauthorized,
          message: 'Message field "payload.extensions.authorization" is missing',
          errorCode: 401,
        },
      ]);
      return;
    }

    const subscription: Subscription = { state: 'pending', unsubscribe: undefined };
    this.subscriptions.set(id, subscription);
    this.subscribe(id, subscription, data.request, authorization, message.payload.data).catch(
      (cause: unknown) => this.fatal(cause),
    );
  }

  private async subscribe(
    id: string,
    subscription: Subscription,
    request: Parameters<SubscriptionEngine['subscribe']>[0],
    authorization: Readonly<Record<string, unknown>>,
    data: string,
  ): Promise<void> {
    const fail = (errors: readonly AppSyncError[]): void => {
      if (subscription.state === 'stopped') return;
      subscription.state = 'stopped';
      if (this.subscriptions.get(id) === subscription) this.subscriptions.delete(id);
      this.sendError(id, errors);
    };

    const caller = await this.authenticateStart(authorization, data);
    if (subscription.state === 'stopped') return;
    if (caller === undefined) {
      fail([unauthorized()]);
      return;
    }

    const prefix = dataFramePrefix(id);
    const deliver = (payload: SubscriptionPayload): void => {
      if (subscription.state !== 'active') return;
      const json = this.serialize(payload);
      if (json !== null) this.socket.send(prefix + json + '}');
    };

    // An invalidation ends the subscription as a `stop` would, from the server's side: the
    // client gets `complete` for the id and nothing more.
    const invalidated = (): void => {
      if (subscription.state === 'stopped') return;
      if (this.subscriptions.get(id) === subscription) this.subscriptions.delete(id);
      subscription.state = 'stopped';
      subscription.unsubscribe = undefined;
      this.send(serializeServerMessage({ type: 'complete', id }));
    };

    let outcome;
    try {
      outcome = await this.options.engine.subscribe(request, caller, deliver, invalidated);
    } catch (cause) {
      this.options.log.error('subscription engine threw', { id, cause: String(cause) });
      fail([{ errorType: RealtimeErrorType.InternalFailure, message: 'Failed to start subscription' }]);
      return;
    }
    if (!outcome.ok) {
      fail(outcome.errors);
      return;
    }
    subscription.unsubscribe = outcome.unsubscribe;
    if (isStopped(subscription)) {
      // stopped (or the socket closed) while the engine was subscribing
      this.stopSubscription(subscription);
      return;
    }
    subscription.state = 'active';
    this.send(serializeServerMessage({ type: 'start_ack', id }));
  }

  private async authenticateStart(
    authorization: Readonly<Record<string, unknown>>,
    data: string,
  ): Promise<Caller | undefined> {
    const credentials = readStartCredentials(authorization, data, this.request.sourceIp, this.hosts, graphqlPathOf(this.request.url));
    if (!credentials.ok) {
      this.options.log.warn('subscription rejected', { reason: credentials.reason });
      return undefined;
    }
    try {
      const outcome = await this.options.authenticator.authenticate(credentials.request);
      if (outcome.ok) return outcome.caller;
      this.options.log.warn('subscription rejected', { reason: outcome.reason });
    } catch (cause) {
      this.options.log.error('authenticator threw for a subscription', { cause: String(cause) });
    }
    return undefined;
  }

  private onStop(message: StopMessage): void {
    const { id } = message;
    if (this.state !== 'acked') {
      this.sendError(id, [
        {
          errorType: RealtimeErrorType.BadRequest,
          message: 'connection_init must be sent and acknowledged before stop',
        },
      ]);
      return;
    }
    const subscription = this.subscriptions.get(id);
    if (subscription !== undefined) {
      this.subscriptions.delete(id);
      this.stopSubscription(subscription);
    }
    this.send(serializeServerMessage({ type: 'complete', id }));
  }

  /** Marks a subscription stopped and unsubscribes it from the engine if it got that far. */
  private stopSubscription(subscription: Subscription): void {
    subscription.state = 'stopped';
    const unsubscribe = subscription.unsubscribe;
    subscription.unsubscribe = undefined;
    if (unsubscribe === undefined) return;
    try {
      unsubscribe();
    } catch (cause) {
      this.options.log.error('unsubscribe threw', { cause: String(cause) });
    }
  }
}
