import { describe, expect, it } from 'vitest';
import { graphqlPathOf, readHandshakeCredentials, readStartCredentials } from '../../../local/realtime/auth.js';

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

describe("given an API's GraphQL path other than /graphql (a second API of the app)", () => {
  it('when its real-time URL is read, then the path is the URL less /realtime, as aws-amplify derives it, and any other path is AppSync\'s own', () => {
    expect(graphqlPathOf('/apis/Pings/graphql/realtime?header=x')).toBe('/apis/Pings/graphql');
    expect(graphqlPathOf('/apis/Pings/graphql')).toBe('/apis/Pings/graphql');
    expect(graphqlPathOf('/graphql/realtime')).toBe('/graphql');
    expect(graphqlPathOf('/elsewhere')).toBe('/graphql');
  });

  it('when the handshake and a start are read, then IAM verifies them at that path, where aws-amplify signs them', () => {
    const header = Buffer.from(JSON.stringify({ host: 'localhost:4000' })).toString('base64url');

    const handshake = readHandshakeCredentials(
      { url: '/apis/Pings/graphql/realtime', headers: { 'sec-websocket-protocol': `graphql-ws,header-${header}` }, sourceIp: '' },
      HOSTS,
    );
    const start = readStartCredentials({ host: 'localhost:4000' }, '{}', '', HOSTS, graphqlPathOf('/apis/Pings/graphql/realtime'));

    expect(handshake).toMatchObject({ ok: true, request: { path: '/apis/Pings/graphql/connect' } });
    expect(start).toMatchObject({ ok: true, request: { path: '/apis/Pings/graphql' } });
  });
});
