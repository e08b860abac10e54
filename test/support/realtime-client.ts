import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type Credentials, authHeaders, documentText } from './graphql-client.js';
import { Waiters } from './waiters.js';

/**
 * A raw client of AppSync's real-time protocol (subprotocol `graphql-ws`, handshake header in
 * the `header-<base64url>` subprotocol as current aws-amplify sends it). Every message is
 * kept, so a test can assert what arrived and in which order.
 */
export type ServerMessage = { type: string; id?: string; payload?: Record<string, unknown> };

const base64Url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class RealtimeClient {
  readonly messages: ServerMessage[] = [];
  readonly #waiters = new Waiters();

  private constructor(
    readonly socket: WebSocket,
    private readonly graphqlUrl: string,
  ) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      this.#waiters.wake();
    });
    socket.on('close', () => {
      this.#waiters.wake();
    });
  }

  static async connect(options: {
    realtimeUrl: string;
    graphqlUrl: string;
    credentials: Credentials;
    caPath: string;
  }): Promise<RealtimeClient> {
    const header = { host: new URL(options.graphqlUrl).host, ...(await authHeaders(`${options.graphqlUrl}/connect`, options.credentials, '{}')) };
    const socket = new WebSocket(options.realtimeUrl, ['graphql-ws', `header-${base64Url(header)}`], {
      ca: readFileSync(options.caPath),
    });
    const client = new RealtimeClient(socket, options.graphqlUrl);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'connection_init' }));
    const ack = await client.next((m) => m.type === 'connection_ack' || m.type === 'connection_error');
    if (ack.type !== 'connection_ack') throw new Error(`connection refused: ${JSON.stringify(ack)}`);
    return client;
  }

  /**
   * Starts a subscription (a generated document of client/operations, or a string a client would
   * not send); resolves with `start_ack` or the `error` for that id.
   */
  async start<V>(id: string, query: TypedDocumentNode<unknown, V> | string, variables: V, credentials: Credentials): Promise<ServerMessage> {
    const data = JSON.stringify({ query: documentText(query), variables });
    const authorization = { host: new URL(this.graphqlUrl).host, ...(await authHeaders(this.graphqlUrl, credentials, data)) };
    this.socket.send(JSON.stringify({ id, type: 'start', payload: { data, extensions: { authorization } } }));
    return this.next((m) => m.id === id && (m.type === 'start_ack' || m.type === 'error'));
  }

  stop(id: string): void {
    this.socket.send(JSON.stringify({ id, type: 'stop' }));
  }

  /** `data` payloads received for a subscription, in order. */
  data(id: string): Record<string, unknown>[] {
    return this.messages
      .filter((m) => m.id === id && m.type === 'data')
      .map((m) => (m.payload?.['data'] ?? {}) as Record<string, unknown>);
  }

  /** Waits for the first message (received so far or later) that matches. */
  async next(match: (message: ServerMessage) => boolean, timeoutMs = 15_000): Promise<ServerMessage> {
    return this.until(() => this.messages.find(match), timeoutMs, 'a matching message');
  }

  /** Waits until `probe` returns a value (or the socket closes, or time runs out). */
  until<T>(probe: () => T | undefined, timeoutMs = 15_000, what = 'a condition'): Promise<T> {
    return this.#waiters.until(probe, {
      timeoutMs,
      pollMs: 250,
      stopped: () => this.socket.readyState === WebSocket.CLOSED,
      failure: () => new Error(`Timed out waiting for ${what}; received ${JSON.stringify(this.messages)}`),
    });
  }

  close(): void {
    this.socket.close();
  }
}
