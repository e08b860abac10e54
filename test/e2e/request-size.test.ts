import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { target } from '../support/target.js';

describe('the GraphQL endpoint and request size', () => {
  it('given a body over 1 MiB, when it is posted, then the client reads a 413 with a clear error, not a reset connection', async () => {
    const query = `{ uploadPolicy { maxBytes } } # ${'x'.repeat(1024 * 1024 + 10)}`;

    const response = await fetch(target().graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': target().apiKey },
      body: JSON.stringify({ query }),
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [{ errorType: 'BadRequestException', message: 'Request body over 1048576 bytes' }],
    });
  });

  it('given a body over 1 MiB declared on a connection that closes after the answer, when it is sent in two parts, then the 413 comes once the body is in, and the connection ends without a reset', async () => {
    // Node closes such a connection as soon as the answer is sent; with the body still arriving,
    // that close is a reset, which can reach the client before the 413 does.
    const url = new URL(target().graphqlUrl);
    const half = Buffer.alloc(1024 * 1024, 'x');
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    const received: Buffer[] = [];
    let receivedAt = 0;
    socket.on('data', (chunk: Buffer) => {
      receivedAt ||= performance.now();
      received.push(chunk);
    });
    const ended = new Promise<Error | null>((resolve) => {
      socket.once('error', resolve);
      socket.once('close', () => resolve(null));
    });
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nX-Api-Key: ${target().apiKey}\r\n` +
        `Content-Length: ${2 * half.length}\r\nConnection: close\r\n\r\n`,
    );
    socket.write(half);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const secondPartAt = performance.now();
    socket.end(half);

    expect(await ended).toBeNull();
    const text = Buffer.concat(received).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('"message":"Request body over 1048576 bytes"');
    expect(receivedAt).toBeGreaterThanOrEqual(secondPartAt);
  });
});
