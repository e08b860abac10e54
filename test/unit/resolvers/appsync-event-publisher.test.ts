import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventPublishError, appSyncFileEventPublisher } from '../../../resolvers/files/adapters/appsync-file-event-publisher.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const event = { fileId: 'f1', owner: 'o1', status: 'READY', step: 'PROCESS', message: null } as const;

function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: URL | string, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe('appSyncFileEventPublisher', () => {
  it('given an event, when published, then a SigV4 (appsync) POST of publishFileEvent with the event as input', async () => {
    const { fetch, calls } = fakeFetch(200, { data: { publishFileEvent: { fileId: 'f1' } } });
    const publisher = appSyncFileEventPublisher({
      url: 'http://127.0.0.1:20002/graphql',
      region: 'eu-west-1',
      credentials,
      fetch,
    });

    await publisher.publish(event);

    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('http://127.0.0.1:20002/graphql');
    expect(call?.init.method).toBe('POST');
    const headers = call?.init.headers as Record<string, string>;
    expect(headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/appsync\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['host']).toBeUndefined();
    const body = JSON.parse(String(call?.init.body));
    expect(body.query).toContain('publishFileEvent(input: $input)');
    expect(body.variables).toEqual({ input: event });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('given a fixed clock, when published, then the signature is the one the SDK signer computes with its own (pure-JS) SHA-256', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-27T12:00:00Z'));
    const { fetch, calls } = fakeFetch(200, { data: { publishFileEvent: { fileId: 'f1' } } });
    await appSyncFileEventPublisher({ url: 'http://127.0.0.1:20002/graphql', region: 'eu-west-1', credentials, fetch }).publish(event);
    const sent = calls[0]?.init;

    const reference = await new SignatureV4({ service: 'appsync', region: 'eu-west-1', credentials, sha256: Sha256 }).sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 20002,
        path: '/graphql',
        headers: { host: '127.0.0.1:20002', 'content-type': 'application/json' },
        body: String(sent?.body),
      }),
    );

    expect((sent?.headers as Record<string, string>)['authorization']).toBe(reference.headers['authorization']);
  });

  it('given a GraphQL errors array in a 200 response, when published, then EventPublishError', async () => {
    const { fetch } = fakeFetch(200, { data: null, errors: [{ errorType: 'Unauthorized', message: 'Not Authorized' }] });
    const publisher = appSyncFileEventPublisher({ url: 'https://x/graphql', region: 'eu-west-1', credentials, fetch });
    await expect(publisher.publish(event)).rejects.toThrow(EventPublishError);
    await expect(publisher.publish(event)).rejects.toThrow(/Unauthorized: Not Authorized/);
  });

  it('given an HTTP 401, when published, then EventPublishError', async () => {
    const { fetch } = fakeFetch(401, { errors: [{ errorType: 'UnauthorizedException' }] });
    const publisher = appSyncFileEventPublisher({ url: 'https://x/graphql', region: 'eu-west-1', credentials, fetch });
    await expect(publisher.publish(event)).rejects.toThrow(/HTTP 401/);
  });
});
