/**
 * Target: the floor of fan-out. A bare `ws` server: POST /publish with an event sends one
 * AppSync-shaped `data` frame, serialized once, to every open socket. No protocol, no auth,
 * no filtering.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveUntilStopped } from '../lib/child.js';

const sockets = new Set<WebSocket>();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const frame = JSON.stringify({ type: 'data', id: '1', payload: { data: { onFileEvent: { ...event, at: new Date().toISOString() } } } });
    for (const socket of sockets) socket.send(frame);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  });
});
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => {
    sockets.add(ws);
    ws.once('close', () => sockets.delete(ws));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const port = typeof address === 'object' && address ? address.port : 0;
serveUntilStopped({ publishUrl: `http://127.0.0.1:${port}/publish`, realtimeUrl: `ws://127.0.0.1:${port}/` }, async () => {
  for (const socket of sockets) socket.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
