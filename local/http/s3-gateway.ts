import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { asPortInUse } from './dual-server.js';

/**
 * The local S3 endpoint: one HTTP server on loopback whose every request goes to the local S3
 * (local/s3), which authenticates, authorizes and answers it. There is no other S3 port.
 */
export interface S3GatewayOptions {
  /** The local S3's request handler (`LocalS3.handle`). */
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void;
}

export function createS3Gateway(options: S3GatewayOptions): { server: Server; listen(port: number): Promise<number>; close(): Promise<void> } {
  const server = createServer((request, response) => options.handle(request, response));
  return {
    server,
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) => reject(asPortInUse(error, port, { service: 'S3' })));
        server.listen(port, '127.0.0.1', () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
