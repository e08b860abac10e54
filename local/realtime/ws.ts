/**
 * The one adapter from the `ws` library to the transport-agnostic core (`server.ts`).
 *
 * Routing is the caller's: `handleUpgrade` serves whatever upgrade it is handed (the lead's HTTP
 * server sends it `/graphql/realtime`, the custom-domain path, and `/graphql`, the path on an
 * AppSync real-time hostname); `attach` is a convenience that routes `REALTIME_PATHS` itself.
 *
 * An upgrade that does not offer the `graphql-ws` subprotocol is refused with HTTP 400 before
 * any WebSocket exists: AppSync's clients always offer it, a client that does not would not get a
 * working connection at AppSync, and `ws` clients reject a server that picks no subprotocol.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { offersAppSyncProtocol } from './auth.js';
import { CloseCode, PROTOCOL } from './messages.js';
import { type RealtimeOptions, makeRealtimeCore } from './server.js';

/** Paths AppSync serves the real-time endpoint on (custom domain, and the realtime hostname). */
export const REALTIME_PATHS: readonly string[] = ['/graphql/realtime', '/graphql'];

/** Largest client frame accepted; `ws` closes the connection with 1009 above it. */
const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;

export interface RealtimeServer {
  /** Takes over one HTTP upgrade (from a server's `'upgrade'` event). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Routes upgrades on `paths` (default `REALTIME_PATHS`) of `server` to `handleUpgrade`, leaving
   * other paths to other listeners. Returns the function that detaches it.
   */
  attach(server: HttpServer | HttpsServer, paths?: readonly string[]): () => void;
  /** Open connections right now. */
  readonly connectionCount: number;
  /** Closes every connection (1001) and stops accepting upgrades. */
  close(): Promise<void>;
}

function sourceIpOf(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

function toText(data: RawData): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function refuse(socket: Duplex, status: 400, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

export function createRealtimeServer(options: RealtimeOptions): RealtimeServer {
  const core = makeRealtimeCore(options);
  const log = options.log ?? { debug: () => undefined };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });
  let closing = false;

  function serve(ws: WebSocket, request: IncomingMessage): void {
    const closed = core.opened(
      {
        send: (data) => {
          if (ws.readyState === ws.OPEN) ws.send(data);
        },
        close: (code, reason) => ws.close(code, reason),
        onMessage: (listener) => ws.on('message', (data) => listener(toText(data))),
      },
      { url: request.url ?? '/', headers: request.headers, sourceIp: sourceIpOf(request) },
    );
    ws.once('close', (code, reason) => closed(code, reason.toString('utf8')));
    // `ws` closes the socket after an error (e.g. a frame over the size limit) and emits 'close'.
    ws.on('error', (error) => log.debug('websocket error', { message: error.message }));
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (closing) {
      socket.destroy();
      return;
    }
    if (!offersAppSyncProtocol(request.headers)) {
      refuse(socket, 400, `Sec-WebSocket-Protocol must include ${PROTOCOL}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => serve(ws, request));
  }

  return {
    handleUpgrade,
    attach(server, paths = REALTIME_PATHS) {
      const listener = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
        const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
        if (paths.includes(path)) handleUpgrade(request, socket, head);
      };
      server.on('upgrade', listener);
      return () => {
        server.off('upgrade', listener);
      };
    },
    get connectionCount() {
      return core.connectionCount;
    },
    close() {
      closing = true;
      core.closeAll(CloseCode.GoingAway, 'Server shutting down');
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
