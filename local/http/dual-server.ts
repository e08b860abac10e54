import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface DualServer {
  readonly net: NetServer;
  readonly http: Server;
  readonly https: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** What listens on a port, and how `npm start` moves it (local/main.ts knows its flags). */
export interface PortOwner {
  /** e.g. "GraphQL", "SQS and SNS" */
  readonly service: string;
  /** The command-line flag that sets the port, e.g. `--sqs-port`; none when the port is chosen free. */
  readonly flag?: string;
  /** The environment variable that sets it, e.g. `SQS_PORT`. */
  readonly env?: string;
}

/** The one line a person reads when a port is taken: which port, what wanted it, how to move it. */
export function portInUseMessage(port: number, owner?: PortOwner): string {
  if (owner === undefined) return `Port ${port} is already in use. Stop what holds it or choose another port.`;
  const service = `Port ${port} (${owner.service}) is already in use.`;
  if (owner.flag === undefined) return `${service} Stop what holds it and start again.`;
  const env = owner.env === undefined ? '' : ` or ${owner.env}=<port>`;
  return `${service} Stop what holds it or choose another port with ${owner.flag} <port>${env}.`;
}

/** A listener could not bind its port (EADDRINUSE). Every listener of the local stack throws this. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly owner?: PortOwner,
  ) {
    super(portInUseMessage(port, owner));
  }
}

/** `error` as a PortInUseError when it is EADDRINUSE, else unchanged. */
export const asPortInUse = (error: NodeJS.ErrnoException, port: number, owner?: PortOwner): Error =>
  error.code === 'EADDRINUSE' ? new PortInUseError(port, owner) : error;

const TLS_HANDSHAKE = 0x16;

/**
 * HTTP and HTTPS on one port. aws-amplify v6 opens `wss://` on the GraphQL endpoint's host even
 * when that endpoint is `http://`, so the one local port must speak both: the first byte of a
 * connection tells a TLS handshake from plain HTTP.
 */
export function createDualServer(tls: { key: string; cert: string }, onRequest: RequestListener, onUpgrade: UpgradeListener): DualServer {
  const http = createHttpServer({ keepAliveTimeout: 65_000 }, onRequest);
  const https = createHttpsServer({ key: tls.key, cert: tls.cert, keepAliveTimeout: 65_000 }, onRequest);
  http.on('upgrade', onUpgrade);
  https.on('upgrade', onUpgrade);
  const sockets = new Set<Socket>();
  const net = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      (chunk[0] === TLS_HANDSHAKE ? https : http).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  return {
    net,
    http,
    https,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => reject(asPortInUse(error, port, { service: 'GraphQL' }));
        net.once('error', onError);
        net.listen(port, host, () => {
          net.off('error', onError);
          const address = net.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        http.closeAllConnections();
        https.closeAllConnections();
        net.close(() => resolve());
      }),
  };
}
