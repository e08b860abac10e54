/**
 * The DynamoDB endpoint everyone is given (functions, the GraphQL engine, tests): a TCP front on
 * 127.0.0.1 that splices each connection to DynamoDB Local's JVM. It lets the JVM die and come
 * back on another port without anyone noticing more than a retry: while no JVM answers, a new
 * connection waits for one (up to `holdMs`), and if none comes it gets DynamoDB's own retryable
 * answer, 503 ServiceUnavailable, which the AWS SDK retries. A connection whose JVM dies under it
 * is closed, which the SDK also retries. No HTTP parsing: bytes pass through untouched.
 */
import { randomUUID } from 'node:crypto';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { asPortInUse } from '../http/dual-server.js';

export type Upstream = { readonly kind: 'up'; readonly port: number } | { readonly kind: 'down' } | { readonly kind: 'failed'; readonly reason: string };

export interface DynamoDbFront {
  readonly port: number;
  /** Where connections go now: a JVM's port, nowhere yet (they wait), or nowhere for good (they get 503). */
  setUpstream(upstream: Upstream): void;
  close(): Promise<void>;
}

export interface DynamoDbFrontOptions {
  readonly port: number;
  /** How long a connection waits for a JVM before it is answered 503. @default 20_000 */
  readonly holdMs?: number;
}

export async function startDynamoDbFront(options: DynamoDbFrontOptions): Promise<DynamoDbFront> {
  const holdMs = options.holdMs ?? 20_000;
  let upstream: Upstream = { kind: 'down' };
  const waiting = new Set<{ socket: Socket; timer: NodeJS.Timeout }>();
  const open = new Set<Socket>();

  const splice = (client: Socket, port: number) => {
    const jvm = connect({ host: '127.0.0.1', port });
    open.add(jvm);
    let connected = false;
    jvm.once('connect', () => {
      connected = true;
      client.pipe(jvm);
      jvm.pipe(client);
      client.resume();
    });
    jvm.once('error', () => {
      // Refused before it connected: the JVM is gone and its exit not yet seen. Try again in a
      // moment; by then the supervisor has marked it down and the connection waits for the next.
      if (!connected && !client.destroyed) setTimeout(() => hold(client), 50).unref();
      else client.destroy();
    });
    jvm.once('close', () => {
      open.delete(jvm);
      if (connected) client.destroy();
    });
    client.once('close', () => jvm.destroy());
  };

  const answerUnavailable = (client: Socket, reason: string) => {
    const body = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: `DynamoDB Local is unavailable: ${reason}` });
    // Read (and drop) what the client sends, so closing does not reset the connection before it reads the answer.
    client.on('data', () => undefined);
    client.resume();
    client.end(
      'HTTP/1.1 503 Service Unavailable\r\n' +
        'content-type: application/x-amz-json-1.0\r\n' +
        `x-amzn-requestid: ${randomUUID()}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        'connection: close\r\n\r\n' +
        body,
    );
  };

  const hold = (client: Socket) => {
    if (upstream.kind === 'up') return splice(client, upstream.port);
    if (upstream.kind === 'failed') return answerUnavailable(client, upstream.reason);
    const entry = {
      socket: client,
      timer: setTimeout(() => {
        waiting.delete(entry);
        answerUnavailable(client, 'it is restarting');
      }, holdMs),
    };
    waiting.add(entry);
    client.once('close', () => {
      clearTimeout(entry.timer);
      waiting.delete(entry);
    });
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    hold(client);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(asPortInUse(error, options.port, { service: 'DynamoDB Local' })));
    server.listen(options.port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : options.port);
    });
  });

  return {
    port,
    setUpstream(next) {
      upstream = next;
      if (next.kind === 'down') return;
      for (const entry of [...waiting]) {
        clearTimeout(entry.timer);
        waiting.delete(entry);
        hold(entry.socket);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const entry of waiting) clearTimeout(entry.timer);
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
