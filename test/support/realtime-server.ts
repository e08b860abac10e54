/**
 * Test doubles and a real client for the real-time server. The server is real (an http.Server on
 * a free loopback port with the realtime server attached); the seams it depends on
 * (`Authenticator`, `SubscriptionEngine`) are fakes that record what they were asked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import type {
  AuthOutcome,
  AuthRequest,
  Authenticator,
  Caller,
  GraphQLRequest,
  SubscribeOutcome,
  SubscriptionEngine,
  SubscriptionPayload,
} from '../../local/contracts.js';
import {
  createRealtimeServer,
  type RealtimeLogger,
  type RealtimeOptions,
  type RealtimeServer,
} from '../../local/realtime/index.js';

export const GRAPHQL_HOST = 'localhost:4000';
export const GOOD_KEY = 'good';

/**
 * Holds a fake's answers until the test opens it, so a `start` stays pending for exactly as long
 * as the test needs: a timer instead would race the test's next message on a busy machine.
 */
export class Gate {
  open: () => void = () => {};
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
}

/** Accepts `x-api-key: good`; rejects everything else. Records every request. */
export class FakeAuthenticator implements Authenticator {
  readonly requests: AuthRequest[] = [];
  /** When set, every answer waits for it to open (to hold a `start` in its pending state). */
  gate: Gate | undefined;
  async authenticate(request: AuthRequest): Promise<AuthOutcome> {
    this.requests.push(request);
    await this.gate?.opened;
    if (request.headers['x-api-key'] === GOOD_KEY) {
      return { ok: true, caller: { mode: 'API_KEY', identity: null } };
    }
    return { ok: false, reason: 'bad api key' };
  }
}

export interface RecordedSubscription {
  readonly request: GraphQLRequest;
  readonly caller: Caller;
  readonly deliver: (payload: SubscriptionPayload) => void;
  unsubscribed: boolean;
}

/**
 * Records subscriptions and lets a test push payloads. A query containing `invalid` is refused
 * with a validation error; one containing `early` delivers before `subscribe` resolves.
 */
export class FakeEngine implements SubscriptionEngine {
  readonly subscriptions: RecordedSubscription[] = [];
  /** When set, every `subscribe` waits for it to open (to stop a subscription mid-way). */
  gate: Gate | undefined;
  /** `subscribe` calls begun, including ones still waiting at the gate. */
  calls = 0;
  private waiters: (() => void)[] = [];

  async subscribe(
    request: GraphQLRequest,
    caller: Caller,
    deliver: (payload: SubscriptionPayload) => void,
  ): Promise<SubscribeOutcome> {
    this.calls += 1;
    await this.gate?.opened;
    if (request.query.includes('invalid')) {
      return {
        ok: false,
        errors: [{ errorType: 'ValidationError', message: 'Validation error of type FieldUndefined' }],
      };
    }
    if (request.query.includes('early')) deliver({ data: { early: true } });
    const recorded: RecordedSubscription = { request, caller, deliver, unsubscribed: false };
    this.subscriptions.push(recorded);
    for (const wake of this.waiters.splice(0)) wake();
    return {
      ok: true,
      unsubscribe: () => {
        recorded.unsubscribed = true;
      },
    };
  }

  get active(): RecordedSubscription[] {
    return this.subscriptions.filter((s) => !s.unsubscribed);
  }

  publish(payload: SubscriptionPayload): void {
    for (const s of this.active) s.deliver(payload);
  }

  async waitForSubscriptions(count: number): Promise<void> {
    while (this.subscriptions.length < count) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

export interface LogLine {
  readonly level: keyof RealtimeLogger;
  readonly message: string;
  readonly details: Record<string, unknown> | undefined;
}

export function recordingLogger(lines: LogLine[]): RealtimeLogger {
  const at =
    (level: keyof RealtimeLogger) => (message: string, details?: Record<string, unknown>) =>
      lines.push({ level, message, details });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface TestServer {
  readonly port: number;
  readonly authenticator: FakeAuthenticator;
  readonly engine: FakeEngine;
  readonly realtime: RealtimeServer;
  readonly log: LogLine[];
  readonly http: Server;
  dispose(): Promise<void>;
}

/** An http.Server on a free loopback port with the realtime server attached. */
export async function startServer(options: Partial<RealtimeOptions> = {}): Promise<TestServer> {
  const authenticator = new FakeAuthenticator();
  const engine = new FakeEngine();
  const log: LogLine[] = [];
  const realtime = createRealtimeServer({
    authenticator,
    engine,
    graphqlHost: GRAPHQL_HOST,
    log: recordingLogger(log),
    ...options,
  });
  const http = createServer((_req, res) => res.writeHead(404).end());
  realtime.attach(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    port,
    authenticator,
    engine,
    realtime,
    log,
    http,
    async dispose() {
      await realtime.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * `startServer` for one test file, and `acknowledged`: a server with one client past
 * `connection_ack`. Each server it starts is disposed after the test that started it, so a test
 * that fails half-way leaves no port open for the next one.
 */
export function serversPerTest(): {
  start(options?: Partial<RealtimeOptions>): Promise<TestServer>;
  acknowledged(options?: Partial<RealtimeOptions>): Promise<{ server: TestServer; client: TestClient }>;
} {
  const started: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.dispose()));
  });
  const start = async (options: Partial<RealtimeOptions> = {}): Promise<TestServer> => {
    const server = await startServer(options);
    started.push(server);
    return server;
  };
  return {
    start,
    async acknowledged(options = {}) {
      const server = await start(options);
      return { server, client: await connectAndInit(server.port) };
    },
  };
}

export type ServerFrame = Record<string, unknown> & { type: string };

/** The `error` frame the server answers with: one error, and the operation's id when it had one. */
export function errorFrame(id: string | undefined, error: Record<string, unknown>): ServerFrame {
  const payload = { errors: [error] };
  return id === undefined ? { type: 'error', payload } : { type: 'error', id, payload };
}

/** A real `ws` client that queues what it receives so tests can await messages in order. */
export class TestClient {
  private readonly inbox: ServerFrame[] = [];
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as ServerFrame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message, failing after `timeoutMs` (generous: the whole suite may share the cores). */
  async next(timeoutMs = 10_000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.inbox.shift() as ServerFrame;
  }

  /** The next message that is not a `ka`. */
  async nextNonKa(timeoutMs = 2_000): Promise<ServerFrame> {
    for (;;) {
      const message = await this.next(timeoutMs);
      if (message.type !== 'ka') return message;
    }
  }

  /** Resolves with whatever non-`ka` messages arrive within `ms` (expected: none). */
  async quietFor(ms: number): Promise<ServerFrame[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.inbox.splice(0).filter((m) => m.type !== 'ka');
  }

  close(): void {
    this.socket.close();
  }
}

export function encodeHeader(header: Record<string, string>, base64url: boolean): string {
  return Buffer.from(JSON.stringify(header)).toString(base64url ? 'base64url' : 'base64');
}

export const goodHeader = (): Record<string, string> => ({
  host: GRAPHQL_HOST,
  'x-api-key': GOOD_KEY,
  'x-amz-date': '20240101T000000Z',
});

export type HandshakeForm =
  | { readonly via: 'subprotocol'; readonly header: Record<string, string> }
  | { readonly via: 'query'; readonly header: Record<string, string> }
  | { readonly via: 'headers'; readonly headers: Record<string, string> };

/** Opens a connection with the handshake in the given form (default: amplify v6 subprotocol). */
export async function connect(
  port: number,
  form: HandshakeForm = { via: 'subprotocol', header: goodHeader() },
  path = '/graphql/realtime',
): Promise<TestClient> {
  let url = `ws://127.0.0.1:${port}${path}`;
  let protocols = ['graphql-ws'];
  let headers: Record<string, string> = {};
  if (form.via === 'subprotocol') {
    protocols = ['graphql-ws', `header-${encodeHeader(form.header, true).replace(/=+$/, '')}`];
  } else if (form.via === 'query') {
    url += `?header=${encodeURIComponent(encodeHeader(form.header, false))}&payload=e30=`;
  } else {
    headers = form.headers;
  }
  const socket = new WebSocket(url, protocols, { headers });
  const client = new TestClient(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return client;
}

/** Connects and completes `connection_init` -> `connection_ack` -> `ka`. */
export async function connectAndInit(port: number): Promise<TestClient> {
  const client = await connect(port);
  client.send({ type: 'connection_init' });
  const ack = await client.next();
  if (ack.type !== 'connection_ack') throw new Error(`expected connection_ack, got ${ack.type}`);
  const ka = await client.next();
  if (ka.type !== 'ka') throw new Error(`expected ka, got ${ka.type}`);
  return client;
}

export const SUBSCRIPTION_QUERY = 'subscription OnCreateItem { onCreateItem { id name } }';

export function startMessage(
  id: string,
  options: {
    query?: string;
    authorization?: Record<string, string> | null;
  } = {},
): { type: 'start'; id: string; payload: Record<string, unknown> } {
  const data = JSON.stringify({ query: options.query ?? SUBSCRIPTION_QUERY, variables: {} });
  const authorization =
    options.authorization === undefined ? goodHeader() : options.authorization;
  return {
    type: 'start',
    id,
    payload:
      authorization === null ? { data, extensions: {} } : { data, extensions: { authorization } },
  };
}
