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

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly port: number) {
    super(`Port ${port} is already in use. Stop what holds it or choose another port (--port or PORT).`);
  }
}

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
        const onError = (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error);
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
