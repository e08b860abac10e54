import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedApp, startApp } from '../apps/start-app.js';
import { type Credentials, graphql } from '../support/graphql-client.js';

/**
 * test/apps/http-l1: an API of L1 constructs only (CfnGraphQLApi, CfnGraphQLSchema with an
 * inline definition, CfnApiKey, CfnDataSource, CfnResolver), with HTTP data sources pointed at a
 * server this test runs (HTTP_ENDPOINT), one of them signing with SigV4; VTL and APPSYNC_JS
 * resolvers on them. Started with `--app-dir`.
 */
let app: StartedApp;
let server: Server;
let key: Credentials;
const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
const books = new Map([['b1', { id: 'b1', title: 'Dune' }]]);

const run = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(app.graphqlUrl, key, query, variables);

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const match = /^\/books\/([^/?]+)$/.exec(request.url ?? '');
      if (request.method === 'GET' && match) {
        const book = books.get(decodeURIComponent(match[1] ?? ''));
        response.writeHead(book ? 200 : 404, { 'content-type': 'application/json' });
        response.end(JSON.stringify(book ?? { message: 'no such book' }));
        return;
      }
      if (request.method === 'POST' && request.url === '/books') {
        const book = { id: `b${books.size + 1}`, title: (JSON.parse(body) as { title: string }).title };
        books.set(book.id, book);
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end(JSON.stringify(book));
        return;
      }
      response.writeHead(405);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  app = await startApp('http-l1', { HTTP_ENDPOINT: `http://127.0.0.1:${port}` });
  key = { kind: 'apiKey', apiKey: app.apiKey };
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

describe('an L1-only app with HTTP data sources (--app-dir)', () => {
  it('given a book on the server, when it is read through the VTL HTTP resolver, then the request and the parsed body are AppSync\'s', async () => {
    const result = await run<{ book: unknown }>('{ book(id: "b1") { id title } }');
    expect(result.data?.book).toEqual({ id: 'b1', title: 'Dune' });
    const request = seen.find((r) => r.url === '/books/b1');
    expect(request?.method).toBe('GET');
    expect(request?.headers['accept']).toBe('application/json');
  });

  it('given no such book, when it is read, then the template raises the status as an error', async () => {
    const result = await run('{ book(id: "zz") { id } }');
    expect(result.data).toEqual({ book: null });
    expect(result.errors?.map((e) => [e.errorType, e.message])).toEqual([['HttpError', 'Book service said 404']]);
  });

  it('given an APPSYNC_JS resolver, when a book is added, then the POST carries the JSON body and the 201 body is the result', async () => {
    const result = await run<{ addBook: { id: string; title: string } }>('mutation { addBook(title: "Emma") { id title } }');
    expect(result.data?.addBook).toEqual({ id: 'b2', title: 'Emma' });
    const post = seen.find((r) => r.method === 'POST');
    expect(JSON.parse(post?.body ?? '{}')).toEqual({ title: 'Emma' });
  });

  it('given the AWS_IAM data source, when it is used, then the request is signed with SigV4 for its region and service', async () => {
    const before = seen.length;
    const result = await run<{ signedBook: unknown }>('{ signedBook(id: "b1") { title } }');
    expect(result.data?.signedBook).toEqual({ title: 'Dune' });
    const signed = seen.slice(before).find((r) => r.url === '/books/b1');
    expect(signed?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
    expect(signed?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    const plain = seen.find((r) => r.url === '/books/b1' && r !== signed);
    expect(plain?.headers['authorization']).toBeUndefined();
  });
});
