/** What the real-time core (server.ts) is given: the socket, logger and engine it talks to, and its settings. */
import type { Authenticator, Caller, SubscriptionEngine } from '../contracts.js';
import type { HandshakeRequest } from './auth.js';

/** The four things the core needs of a socket. */
export interface RealtimeSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
  /** Registers the listener for text frames (the adapter decodes binary frames as UTF-8). */
  onMessage(listener: (data: string) => void): void;
}

/** Compatible with `console` and with the Powertools `Logger`. */
export interface RealtimeLogger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** The API's GraphQL host(s) a client must name in `host`, e.g. `localhost:4000`. */
export type GraphqlHostOption =
  | string
  | readonly string[]
  | ((request: HandshakeRequest) => string | readonly string[]);

/**
 * The engine as the real-time server uses it: `SubscriptionEngine`, whose `subscribe` may also
 * take a callback for when an invalidation (`extensions.invalidateSubscriptions`) closes the
 * subscription from the server side.
 */
export interface RealtimeEngine extends SubscriptionEngine {
  subscribe(
    request: Parameters<SubscriptionEngine['subscribe']>[0],
    caller: Caller,
    deliver: Parameters<SubscriptionEngine['subscribe']>[2],
    invalidated?: () => void,
  ): ReturnType<SubscriptionEngine['subscribe']>;
}

export interface RealtimeOptions {
  readonly authenticator: Authenticator;
  readonly engine: RealtimeEngine;
  readonly graphqlHost: GraphqlHostOption;
  /** Interval between `ka` messages. @default 60_000 (AppSync sends about one a minute) */
  readonly keepAliveMs?: number;
  /** Sent in `connection_ack`; how long a client waits for a `ka`. @default 300_000 */
  readonly connectionTimeoutMs?: number;
  /** Close a connection that sends no `connection_init` within this. @default 10_000 */
  readonly initTimeoutMs?: number;
  /** @default 100 */
  readonly maxSubscriptionsPerConnection?: number;
  /** Data payloads whose JSON is larger are not delivered. @default 240 * 1024 */
  readonly maxPayloadBytes?: number;
  /** AppSync closes connections after 24 h. @default 86_400_000 */
  readonly maxConnectionDurationMs?: number;
  /** @default warnings and errors to the console, nothing else */
  readonly log?: RealtimeLogger;
}

export const REALTIME_DEFAULTS = {
  keepAliveMs: 60_000,
  connectionTimeoutMs: 300_000,
  initTimeoutMs: 10_000,
  maxSubscriptionsPerConnection: 100,
  maxPayloadBytes: 240 * 1024,
  maxConnectionDurationMs: 24 * 60 * 60 * 1000,
} as const;

const defaultLogger: RealtimeLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, details) => console.warn(`[realtime] ${message}`, details ?? ''),
  error: (message, details) => console.error(`[realtime] ${message}`, details ?? ''),
};

export interface RealtimeCore {
  /** Starts serving a socket that has just opened; returns the function to call when it closes. */
  opened(socket: RealtimeSocket, request: HandshakeRequest): (code: number, reason: string) => void;
  /** Closes every open connection (their subscriptions are unsubscribed). */
  closeAll(code: number, reason: string): void;
  readonly connectionCount: number;
}

export type ResolvedOptions = Required<Omit<RealtimeOptions, 'graphqlHost'>> & {
  readonly expectedHosts: (request: HandshakeRequest) => readonly string[];
};

/** The options with their defaults, and the hosts a handshake must name as a function of it. */
export function resolveOptions(options: RealtimeOptions): ResolvedOptions {
  const { graphqlHost } = options;
  const expectedHosts =
    typeof graphqlHost === 'function'
      ? (request: HandshakeRequest) => {
          const hosts = graphqlHost(request);
          return typeof hosts === 'string' ? [hosts] : hosts;
        }
      : (() => {
          const hosts = typeof graphqlHost === 'string' ? [graphqlHost] : graphqlHost;
          return () => hosts;
        })();
  return {
    authenticator: options.authenticator,
    engine: options.engine,
    keepAliveMs: options.keepAliveMs ?? REALTIME_DEFAULTS.keepAliveMs,
    connectionTimeoutMs: options.connectionTimeoutMs ?? REALTIME_DEFAULTS.connectionTimeoutMs,
    initTimeoutMs: options.initTimeoutMs ?? REALTIME_DEFAULTS.initTimeoutMs,
    maxSubscriptionsPerConnection:
      options.maxSubscriptionsPerConnection ?? REALTIME_DEFAULTS.maxSubscriptionsPerConnection,
    maxPayloadBytes: options.maxPayloadBytes ?? REALTIME_DEFAULTS.maxPayloadBytes,
    maxConnectionDurationMs:
      options.maxConnectionDurationMs ?? REALTIME_DEFAULTS.maxConnectionDurationMs,
    log: options.log ?? defaultLogger,
    expectedHosts,
  };
}
