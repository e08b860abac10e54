import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../../local/realtime/index.js';
import {
  GOOD_KEY,
  GRAPHQL_HOST,
  connect,
  goodHeader,
  serversPerTest,
} from '../../support/realtime-server.js';

const servers = serversPerTest();

describe('given the handshake credentials in the header- subprotocol (aws-amplify v6)', () => {
  it('when the client sends connection_init, then it is acknowledged over the graphql-ws subprotocol', async () => {
    const server = await servers.start();
    const client = await connect(server.port, { via: 'subprotocol', header: goodHeader() });

    client.send({ type: 'connection_init' });

    expect(client.socket.protocol).toBe('graphql-ws');
    expect(await client.next()).toEqual({
      type: 'connection_ack',
      payload: { connectionTimeoutMs: 300_000 },
    });
    expect(server.authenticator.requests[0]).toEqual({
      method: 'POST',
      path: '/graphql/connect',
      body: '{}',
      headers: { host: GRAPHQL_HOST, 'x-api-key': GOOD_KEY, 'x-amz-date': '20240101T000000Z' },
      sourceIp: '127.0.0.1',
    });
    client.close();
  });
});

describe('given the handshake credentials in the header query parameter', () => {
  it('when the client sends connection_init, then it is acknowledged with lower-cased headers', async () => {
    const server = await servers.start();
    const client = await connect(server.port, {
      via: 'query',
      header: { host: GRAPHQL_HOST, 'X-Api-Key': GOOD_KEY },
    });

    client.send({ type: 'connection_init' });

    expect((await client.next()).type).toBe('connection_ack');
    expect(server.authenticator.requests[0]?.headers).toEqual({
      host: GRAPHQL_HOST,
      'x-api-key': GOOD_KEY,
    });
    client.close();
  });
});

describe('given the handshake credentials as plain HTTP headers on the upgrade', () => {
  it('when the client sends connection_init, then it is acknowledged', async () => {
    const server = await servers.start();
    const client = await connect(server.port, {
      via: 'headers',
      headers: { host: GRAPHQL_HOST, 'x-api-key': GOOD_KEY },
    });

    client.send({ type: 'connection_init' });

    expect((await client.next()).type).toBe('connection_ack');
    expect(server.authenticator.requests[0]).toMatchObject({
      path: '/graphql/connect',
      headers: { host: GRAPHQL_HOST, 'x-api-key': GOOD_KEY },
    });
    client.close();
  });

  it('when the Host header is not the GraphQL host, then the connection is refused', async () => {
    const server = await servers.start();
    const client = await connect(server.port, {
      via: 'headers',
      headers: { 'x-api-key': GOOD_KEY }, // Host is 127.0.0.1:<port>
    });

    client.send({ type: 'connection_init' });

    expect((await client.next()).type).toBe('connection_error');
    expect((await client.closed).code).toBe(CloseCode.Unauthorized);
  });
});

describe('given a handshake that fails authorization', () => {
  const cases: [string, Record<string, string>][] = [
    ['a host that is not the GraphQL host', { host: 'elsewhere:4000', 'x-api-key': GOOD_KEY }],
    ['no host', { 'x-api-key': GOOD_KEY }],
    ['a rejected API key', { host: GRAPHQL_HOST, 'x-api-key': 'bad' }],
  ];
  for (const [what, header] of cases) {
    it(`with ${what}, when the client sends connection_init, then connection_error 401 and close`, async () => {
      const server = await servers.start();
      const client = await connect(server.port, { via: 'subprotocol', header });

      client.send({ type: 'connection_init' });

      expect(await client.next()).toEqual({
        type: 'connection_error',
        payload: {
          errors: [
            {
              errorType: 'UnauthorizedException',
              message: 'You are not authorized to make this call.',
              errorCode: 401,
            },
          ],
        },
      });
      expect(await client.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'Unauthorized' });
      expect(server.log.some((l) => l.level === 'warn' && l.message === 'handshake rejected')).toBe(
        true,
      );
    });
  }

  it('with a host mismatch, then the authenticator is never asked', async () => {
    const server = await servers.start();
    const client = await connect(server.port, {
      via: 'query',
      header: { host: 'evil:4000', 'x-api-key': GOOD_KEY },
    });

    client.send({ type: 'connection_init' });

    expect((await client.next()).type).toBe('connection_error');
    expect(server.authenticator.requests).toHaveLength(0);
  });
});

describe('given a header query parameter that is not base64 JSON', () => {
  it('when the client sends connection_init, then connection_error BadRequestException 400 and close', async () => {
    const server = await servers.start();
    const socketUrl = `/graphql/realtime?header=${encodeURIComponent('not json!')}&payload=e30=`;
    const client = await connect(server.port, { via: 'headers', headers: {} }, socketUrl);

    client.send({ type: 'connection_init' });

    const error = await client.next();
    expect(error).toMatchObject({
      type: 'connection_error',
      payload: { errors: [{ errorType: 'BadRequestException', errorCode: 400 }] },
    });
    expect(JSON.stringify(error)).toContain('query parameter \\"header\\"');
    expect((await client.closed).code).toBe(CloseCode.BadRequest);
  });
});

describe('given an upgrade that does not offer the graphql-ws subprotocol', () => {
  it('when it reaches the server, then it is refused with HTTP 400', async () => {
    const server = await servers.start();
    const port = server.port;

    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        path: '/graphql/realtime',
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Protocol': 'graphql-transport-ws',
        },
      });
      req.on('response', (res) => resolve(res.statusCode));
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });

    expect(status).toBe(400);
  });
});

describe('given the AppSync real-time hostname style path /graphql', () => {
  it('when a client connects there, then the same protocol is served', async () => {
    const server = await servers.start();
    const client = await connect(
      server.port,
      { via: 'subprotocol', header: goodHeader() },
      '/graphql',
    );

    client.send({ type: 'connection_init' });

    expect((await client.next()).type).toBe('connection_ack');
    client.close();
  });
});

describe('given an acknowledged connection', () => {
  it('when connection_ack arrives, then it carries the configured connectionTimeoutMs and a ka follows at once', async () => {
    const server = await servers.start({ connectionTimeoutMs: 120_000 });
    const client = await connect(server.port);

    client.send({ type: 'connection_init' });

    expect(await client.next()).toEqual({
      type: 'connection_ack',
      payload: { connectionTimeoutMs: 120_000 },
    });
    expect(await client.next(100)).toEqual({ type: 'ka' });
    client.close();
  });

  it('when keepAliveMs passes, then another ka arrives each interval', async () => {
    const server = await servers.start({ keepAliveMs: 40 });
    const client = await connect(server.port);
    client.send({ type: 'connection_init' });
    await client.next(); // ack
    await client.next(); // immediate ka

    const started = Date.now();
    expect(await client.next(500)).toEqual({ type: 'ka' });
    expect(await client.next(500)).toEqual({ type: 'ka' });

    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    client.close();
  });

  it('when connection_init is sent again, then it is acknowledged again', async () => {
    const server = await servers.start();
    const client = await connect(server.port);
    client.send({ type: 'connection_init' });
    await client.next();
    await client.next();

    client.send({ type: 'connection_init' });

    expect((await client.nextNonKa()).type).toBe('connection_ack');
    client.close();
  });
});

describe('given a connection that never sends connection_init', () => {
  it('when initTimeoutMs passes, then connection_error and close 4408', async () => {
    const server = await servers.start({ initTimeoutMs: 50 });
    const client = await connect(server.port);

    const error = await client.next(1_000);

    expect(error).toEqual({
      type: 'connection_error',
      payload: {
        errors: [
          {
            errorType: 'BadRequestException',
            message: 'connection_init was not received within 50 ms',
            errorCode: 400,
          },
        ],
      },
    });
    expect((await client.closed).code).toBe(CloseCode.ConnectionInitTimeout);
  });

  it('when it sends start, then an error names the missing connection_init and the connection stays open', async () => {
    const server = await servers.start();
    const client = await connect(server.port);

    client.send({
      type: 'start',
      id: 's1',
      payload: { data: '{"query":"subscription { x }"}', extensions: { authorization: goodHeader() } },
    });

    expect(await client.next()).toEqual({
      type: 'error',
      id: 's1',
      payload: {
        errors: [
          {
            errorType: 'BadRequestException',
            message: 'connection_init must be sent and acknowledged before start',
          },
        ],
      },
    });
    client.send({ type: 'connection_init' });
    expect((await client.next()).type).toBe('connection_ack');
    expect(server.engine.subscriptions).toHaveLength(0);
    client.close();
  });
});

describe('given a connection that has lived maxConnectionDurationMs', () => {
  it('when the lifetime ends, then the server closes it with 1001', async () => {
    const server = await servers.start({ maxConnectionDurationMs: 100 });
    const client = await connect(server.port);
    client.send({ type: 'connection_init' });

    const closed = await client.closed;

    expect(closed.code).toBe(CloseCode.GoingAway);
  });
});

describe('given a server with connections', () => {
  it('when the server is closed, then clients see 1001', async () => {
    const server = await servers.start();
    const client = await connect(server.port);

    await server.realtime.close();

    expect((await client.closed).code).toBe(CloseCode.GoingAway);
  });
});
