import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { Waiters } from '../../support/waiters.js';
import { type Credentials, authHeaders } from './http.js';
import { graphqlHost, target } from './target.js';

/**
 * A raw client of AppSync's real-time protocol over the `ws` package: it sends exactly what a
 * test tells it to and keeps every message it receives, so a test can assert the protocol
 * itself (order, types, error shapes, close codes). Modeled on test/support/realtime-client.ts,
 * with the three handshake forms and no automatic `connection_init`.
 */
export type ServerMessage = { type: string; id?: string; payload?: Record<string, unknown> };

export type HandshakeForm = 'subprotocol' | 'query' | 'headers';

const base64Url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/** The handshake's header object: `host` plus the mode's credentials (IAM signs POST /graphql/connect `{}`). */
export async function handshakeHeader(credentials: Credentials, host = graphqlHost()): Promise<Record<string, string>> {
  return { host, ...(await authHeaders(`${target().graphqlUrl}/connect`, credentials, '{}')) };
}

/** A start's `extensions.authorization`: `host` plus the credentials over the `data` string. */
export async function startAuthorization(credentials: Credentials, data: string, host = graphqlHost()): Promise<Record<string, string>> {
  return { host, ...(await authHeaders(target().graphqlUrl, credentials, data)) };
}

export class RawRealtimeClient {
  readonly messages: ServerMessage[] = [];
  readonly #waiters = new Waiters();
  /** Code and reason once the socket has closed. */
  closedWith: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      this.#waiters.wake();
    });
    socket.on('close', (code, reason) => {
      this.closedWith = { code, reason: reason.toString() };
      this.#waiters.wake();
    });
  }

  /** Opens the socket with the handshake in `form`; sends nothing. Rejects if the upgrade fails. */
  static async open(options: {
    credentials: Credentials;
    form?: HandshakeForm;
    /** Overrides the header object (e.g. a wrong `host`). */
    header?: Record<string, string>;
  }): Promise<RawRealtimeClient> {
    const form = options.form ?? 'subprotocol';
    const header = options.header ?? (await handshakeHeader(options.credentials));
    const ca = target().caPath ? readFileSync(target().caPath as string) : undefined;
    let url = target().realtimeUrl;
    let protocols = ['graphql-ws'];
    let headers: Record<string, string> = {};
    switch (form) {
      case 'subprotocol':
        protocols = ['graphql-ws', `header-${base64Url(header)}`];
        break;
      case 'query':
        url = `${url}?header=${encodeURIComponent(base64(header))}&payload=${encodeURIComponent(base64({}))}`;
        break;
      case 'headers': {
        const { host: _host, ...rest } = header;
        headers = rest;
        break;
      }
    }
    const socket = new WebSocket(url, protocols, { ...(ca ? { ca } : {}), headers });
    const client = new RawRealtimeClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
    });
    return client;
  }

  /** Opens, sends `connection_init` and waits for `connection_ack` (throws on `connection_error`). */
  static async connect(credentials: Credentials, form: HandshakeForm = 'subprotocol'): Promise<RawRealtimeClient> {
    const client = await RawRealtimeClient.open({ credentials, form });
    const answer = await client.init();
    if (answer.type !== 'connection_ack') throw new Error(`connection refused: ${JSON.stringify(answer)}`);
    return client;
  }

  /** Sends `connection_init`; resolves with `connection_ack` or `connection_error`. */
  init(): Promise<ServerMessage> {
    this.send({ type: 'connection_init' });
    return this.next((m) => m.type === 'connection_ack' || m.type === 'connection_error');
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends a `start`; resolves with its `start_ack` or `error`. */
  async start(
    id: string,
    query: string,
    variables: Record<string, unknown>,
    credentials: Credentials,
    options: { authorization?: Record<string, string> } = {},
  ): Promise<ServerMessage> {
    const data = JSON.stringify({ query, variables });
    const authorization = options.authorization ?? (await startAuthorization(credentials, data));
    this.send({ id, type: 'start', payload: { data, extensions: { authorization } } });
    return this.next((m) => m.id === id && (m.type === 'start_ack' || m.type === 'error'));
  }

  stop(id: string): void {
    this.send({ id, type: 'stop' });
  }

  /** `data` payloads of a subscription, in order. */
  data(id: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.id === id && m.type === 'data').map((m) => (m.payload ?? {}) as Record<string, unknown>);
  }

  /** Waits for the first message (received so far or later) that matches. */
  next(match: (message: ServerMessage) => boolean, timeoutMs = 15_000): Promise<ServerMessage> {
    return this.until(() => this.messages.find(match), timeoutMs, 'a matching message');
  }

  /** Waits until `probe` returns a value (or the socket closes, or time runs out). */
  until<T>(probe: () => T | undefined, timeoutMs = 15_000, what = 'a condition'): Promise<T> {
    return this.#waiters.until(probe, {
      timeoutMs,
      pollMs: 200,
      stopped: () => this.closedWith !== undefined,
      failure: () => new Error(`Timed out waiting for ${what}; closed: ${JSON.stringify(this.closedWith)}; received ${JSON.stringify(this.messages).slice(0, 2000)}`),
    });
  }

  /** Waits for the socket to close; resolves with its code and reason. */
  closed(timeoutMs = 15_000): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closedWith, timeoutMs, 'the socket to close');
  }

  close(): void {
    this.socket.close();
  }
}
