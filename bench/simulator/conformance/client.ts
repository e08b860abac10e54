/**
 * What the probes send the simulator: GraphQL over HTTP with each AppSync credential, and the
 * real-time protocol over a raw `ws` socket that keeps every frame it receives.
 */
import WebSocket from 'ws';
import { type Credentials, type RawAnswer, authHeaders as credentialHeaders, postRaw as postRawTo } from '../../../test/support/raw-request.js';
import { Waiters } from '../../../test/support/waiters.js';
import { API_KEY, AUTH_ACCESS_KEY_ID, OIDC_ISSUER, USER_POOL_ISSUER } from './config.js';

export type { Credentials };

export interface Endpoint {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly host: string;
}

export const endpointAt = (port: number): Endpoint => ({
  graphqlUrl: `http://127.0.0.1:${port}/graphql`,
  realtimeUrl: `ws://127.0.0.1:${port}/graphql/realtime`,
  host: `127.0.0.1:${port}`,
});

export const apiKey = (key = API_KEY): Credentials => ({ kind: 'apiKey', apiKey: key });
export const token = (value: string): Credentials => ({ kind: 'token', token: value });
// The simulator is given an access key id only (authAccessKeyId in config.ts), so any secret signs.
export const iam = (accessKeyId = AUTH_ACCESS_KEY_ID): Credentials => ({ kind: 'iam', accessKeyId, secretAccessKey: 'conformance-secret' });
export const noCredentials: Credentials = { kind: 'none' };

/** An unsigned JWT: the simulator decodes tokens without verifying them, so none is needed. */
export function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', kid: 'conformance' })}.${part({ iat: now, exp: now + 3600, ...claims })}.c2lnbmF0dXJl`;
}

export const userPoolToken = (username: string, groups?: string[], extra: Record<string, unknown> = {}) =>
  jwt({
    sub: `sub-${username}`,
    iss: USER_POOL_ISSUER,
    'cognito:username': username,
    token_use: 'id',
    aud: 'conformance',
    ...(groups ? { 'cognito:groups': groups } : {}),
    ...extra,
  });

export const oidcToken = (subject: string, extra: Record<string, unknown> = {}) => jwt({ sub: subject, iss: OIDC_ISSUER, aud: 'conformance', ...extra });

/** The region the probes sign for: the simulator's. */
const SIMULATOR_REGION = 'us-east-1';

/** The headers `credentials` add to a POST of `body` to `url`. */
const authHeaders = (url: string, credentials: Credentials, body: string): Promise<Record<string, string>> =>
  credentialHeaders(url, credentials, body, SIMULATOR_REGION);

export type HttpAnswer = RawAnswer;

export interface GraphQLBody {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: Record<string, unknown>[];
  readonly errorMessage?: string;
}

export function postRaw(
  endpoint: Endpoint,
  body: string,
  credentials: Credentials,
  options: { headers?: Record<string, string>; signedBody?: string } = {},
): Promise<HttpAnswer> {
  return postRawTo(endpoint.graphqlUrl, body, credentials, { ...options, region: SIMULATOR_REGION, signal: AbortSignal.timeout(20_000) });
}

export async function graphql(
  endpoint: Endpoint,
  query: string,
  variables: Record<string, unknown> = {},
  credentials: Credentials = apiKey(),
  headers: Record<string, string> = {},
): Promise<{ status: number; body: GraphQLBody }> {
  const answer = await postRaw(endpoint, JSON.stringify({ query, variables }), credentials, { headers });
  return { status: answer.status, body: (answer.json ?? { unparsed: answer.text }) as GraphQLBody };
}

export type ServerMessage = { type: string; id?: string; payload?: Record<string, unknown> };
export type HandshakeForm = 'subprotocol' | 'query' | 'headers';

/** A raw real-time client (like test/conformance/support/raw-client.ts, pointed at the simulator). */
export class RealtimeSocket {
  readonly messages: ServerMessage[] = [];
  readonly unparsed: string[] = [];
  closedWith: { code: number; reason: string } | undefined;
  readonly #waiters = new Waiters();

  private constructor(readonly endpoint: Endpoint, readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = data.toString();
      try {
        this.messages.push(JSON.parse(text) as ServerMessage);
      } catch {
        this.unparsed.push(text);
      }
      this.#waiters.wake();
    });
    socket.on('close', (code, reason) => {
      this.closedWith = { code, reason: reason.toString() };
      this.#waiters.wake();
    });
    socket.on('error', () => this.#waiters.wake());
  }

  /** Opens the socket with the handshake in `form` and `header` (default: `host` plus the credentials). */
  static async open(
    endpoint: Endpoint,
    credentials: Credentials,
    options: { form?: HandshakeForm; header?: Record<string, string> } = {},
  ): Promise<RealtimeSocket> {
    const header = options.header ?? { host: endpoint.host, ...(await authHeaders(`${endpoint.graphqlUrl}/connect`, credentials, '{}')) };
    const encode = (value: unknown, encoding: BufferEncoding) => Buffer.from(JSON.stringify(value)).toString(encoding);
    let url = endpoint.realtimeUrl;
    let protocols = ['graphql-ws'];
    let headers: Record<string, string> = {};
    switch (options.form ?? 'query') {
      case 'subprotocol':
        protocols = ['graphql-ws', `header-${encode(header, 'base64url')}`];
        break;
      case 'query':
        url = `${url}?header=${encodeURIComponent(encode(header, 'base64'))}&payload=${encodeURIComponent(encode({}, 'base64'))}`;
        break;
      case 'headers': {
        const { host: _host, ...rest } = header;
        headers = rest;
        break;
      }
    }
    const socket = new WebSocket(url, protocols, { headers });
    const client = new RealtimeSocket(endpoint, socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
    });
    return client;
  }

  /** Opens (query-string form), sends `connection_init`, and waits for the ack. */
  static async connect(endpoint: Endpoint, credentials: Credentials = apiKey()): Promise<RealtimeSocket> {
    const client = await RealtimeSocket.open(endpoint, credentials);
    const answer = await client.init();
    if (answer.type !== 'connection_ack') throw new Error(`connection refused: ${JSON.stringify(answer)}`);
    return client;
  }

  init(timeoutMs = 5_000): Promise<ServerMessage> {
    this.send({ type: 'connection_init' });
    return this.next((m) => m.type === 'connection_ack' || m.type === 'connection_error', timeoutMs);
  }

  send(message: unknown): void {
    // The simulator closes some sockets on its own; a probe's later sends then go nowhere.
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends a `start` authorized by `credentials` (or `authorization` as given); resolves with its ack or error. */
  async start(
    id: string,
    query: string,
    variables: Record<string, unknown> = {},
    credentials: Credentials = apiKey(),
    authorization?: Record<string, string>,
  ): Promise<ServerMessage> {
    const data = JSON.stringify({ query, variables });
    const extensions = {
      authorization: authorization ?? { host: this.endpoint.host, ...(await authHeaders(this.endpoint.graphqlUrl, credentials, data)) },
    };
    this.send({ id, type: 'start', payload: { data, extensions } });
    return this.next((m) => m.id === id && (m.type === 'start_ack' || m.type === 'error'));
  }

  data(id: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.id === id && m.type === 'data').map((m) => m.payload ?? {});
  }

  next(match: (message: ServerMessage) => boolean, timeoutMs = 5_000): Promise<ServerMessage> {
    return this.until(() => this.messages.find(match), timeoutMs, 'a matching message');
  }

  /** Waits until `probe` returns a value; rejects on timeout or when the socket closes first. */
  until<T>(probe: () => T | undefined, timeoutMs = 5_000, what = 'a condition'): Promise<T> {
    return this.#waiters.until(probe, {
      timeoutMs,
      pollMs: 100,
      stopped: () => this.closedWith !== undefined,
      failure: () => new Error(`no ${what} within ${timeoutMs} ms (closed: ${JSON.stringify(this.closedWith)}; got ${JSON.stringify(this.messages).slice(0, 300)})`),
    });
  }

  /** Resolves with the close code, or undefined if the socket is still open after `ms`. */
  async closedWithin(ms: number): Promise<{ code: number; reason: string } | undefined> {
    try {
      return await this.until(() => this.closedWith, ms, 'close');
    } catch {
      return this.closedWith;
    }
  }

  close(): void {
    this.socket.terminate();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
