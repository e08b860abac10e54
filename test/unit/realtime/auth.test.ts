import { describe, expect, it } from 'vitest';
import { readHandshakeCredentials } from '../../../local/realtime/auth.js';

const HOSTS = ['localhost:4000'];

describe('given a handshake header sent unescaped in the query string', () => {
  it('when its base64 contains "+" (read back as a space), then it still decodes', () => {
    const header = { host: 'localhost:4000', 'x-api-key': 'good', pad: '~~~' };
    const encoded = Buffer.from(JSON.stringify(header)).toString('base64');
    expect(encoded).toContain('+');

    const result = readHandshakeCredentials(
      { url: `/graphql?header=${encoded}&payload=e30=`, headers: {}, sourceIp: '10.0.0.1' },
      HOSTS,
    );

    expect(result).toEqual({
      ok: true,
      form: 'query',
      request: {
        method: 'POST',
        path: '/graphql/connect',
        headers: header,
        body: '{}',
        sourceIp: '10.0.0.1',
      },
    });
  });
});

describe('given both a header- subprotocol and a header query parameter', () => {
  it('when the handshake is read, then the subprotocol wins', () => {
    const fromProtocol = Buffer.from(
      JSON.stringify({ host: 'localhost:4000', Authorization: 'token-a' }),
    ).toString('base64url');
    const fromQuery = Buffer.from(
      JSON.stringify({ host: 'localhost:4000', Authorization: 'token-b' }),
    ).toString('base64');

    const result = readHandshakeCredentials(
      {
        url: `/graphql/realtime?header=${encodeURIComponent(fromQuery)}`,
        headers: { 'sec-websocket-protocol': `graphql-ws, header-${fromProtocol}` },
        sourceIp: '::1',
      },
      HOSTS,
    );

    expect(result).toMatchObject({ ok: true, form: 'subprotocol', request: { headers: { authorization: 'token-a' } } });
  });
});

describe('given a host that differs only in letter case', () => {
  it('when the handshake is read, then it is accepted', () => {
    const header = Buffer.from(JSON.stringify({ host: 'LocalHost:4000' })).toString('base64url');

    const result = readHandshakeCredentials(
      { url: '/graphql', headers: { 'sec-websocket-protocol': `graphql-ws,header-${header}` }, sourceIp: '' },
      HOSTS,
    );

    expect(result.ok).toBe(true);
  });
});
