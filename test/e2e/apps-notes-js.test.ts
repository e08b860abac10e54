import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedApp, startApp } from '../apps/start-app.js';
import { type Credentials, graphql } from '../support/graphql-client.js';
import { RealtimeClient } from '../support/realtime-client.js';

/**
 * test/apps/notes-js, a CDK app of its own folder in the style of AWS's APPSYNC_JS samples:
 * resolver code from files (`Code.fromAsset`, so `CodeS3Location` in the template), a pipeline
 * resolver, a DynamoDB table with a GSI queried by a resolver, a nested field resolver, the
 * `@aws-appsync/utils/dynamodb` helpers, an API key, and `npx ts-node` as its cdk.json command.
 * Started with `npm start -- --app-dir test/apps/notes-js`, driven over HTTP and WebSocket.
 */
let app: StartedApp;
let key: Credentials;

const run = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(app.graphqlUrl, key, query, variables);

beforeAll(async () => {
  app = await startApp('notes-js');
  key = { kind: 'apiKey', apiKey: app.apiKey };
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

describe('an APPSYNC_JS app of its own folder (--app-dir)', () => {
  it('given the app, when it starts, then its API key works and an unauthenticated request is refused', async () => {
    expect(app.apiKey).toMatch(/^da2-/);
    const refused = await graphql(app.graphqlUrl, { kind: 'none' }, '{ getNote(id: "x") { id } }');
    expect(refused.status).toBe(401);
  });

  it('given an author, when a note is created through the pipeline, then the note, its nested author and the GSI query agree', async () => {
    const author = await run<{ createAuthor: { id: string; name: string } }>('mutation ($n: String!) { createAuthor(name: $n) { id name } }', { n: 'Ann' });
    expect(author.errors).toBeUndefined();
    const authorId = author.data?.createAuthor.id ?? '';

    const created = await run<{ createNote: { id: string; title: string; createdAt: string; author: { name: string } } }>(
      'mutation ($a: ID!, $t: String!) { createNote(authorId: $a, title: $t, body: "b") { id title createdAt author { name } } }',
      { a: authorId, t: 'first' },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createNote.title).toBe('first');
    expect(created.data?.createNote.author.name).toBe('Ann');
    // The pipeline's before handler stashed the time; the putNote function wrote it.
    expect(Number.isNaN(Date.parse(created.data?.createNote.createdAt ?? ''))).toBe(false);

    await run('mutation ($a: ID!) { createNote(authorId: $a, title: "second") { id } }', { a: authorId });
    const listed = await run<{ notesByAuthor: { items: { title: string }[]; nextToken: string | null } }>(
      'query ($a: ID!) { notesByAuthor(authorId: $a) { items { title } nextToken } }',
      { a: authorId },
    );
    expect(listed.data?.notesByAuthor.items.map((n) => n.title)).toEqual(['first', 'second']);

    const page = await run<{ notesByAuthor: { items: { title: string }[]; nextToken: string | null } }>(
      'query ($a: ID!) { notesByAuthor(authorId: $a, limit: 1) { items { title } nextToken } }',
      { a: authorId },
    );
    expect(page.data?.notesByAuthor.items.map((n) => n.title)).toEqual(['first']);
    const next = await run<{ notesByAuthor: { items: { title: string }[] } }>(
      'query ($a: ID!, $t: String) { notesByAuthor(authorId: $a, limit: 1, nextToken: $t) { items { title } } }',
      { a: authorId, t: page.data?.notesByAuthor.nextToken },
    );
    expect(next.data?.notesByAuthor.items.map((n) => n.title)).toEqual(['second']);
  });

  it('given no such author, when a note is created, then the pipeline stops with the function error and nothing is written', async () => {
    const result = await run('mutation { createNote(authorId: "nobody", title: "orphan") { id } }');
    expect(result.data).toEqual({ createNote: null });
    expect(result.errors?.map((e) => [e.errorType, e.message])).toEqual([['NotFound', 'Author nobody does not exist']]);
    const listed = await run<{ notesByAuthor: { items: unknown[] } }>('{ notesByAuthor(authorId: "nobody") { items { id } } }');
    expect(listed.data?.notesByAuthor.items).toHaveLength(0);
  });

  it('given a note, when it is touched twice, then the update helper increments its counter', async () => {
    const author = await run<{ createAuthor: { id: string } }>('mutation { createAuthor(name: "Bo") { id } }');
    const note = await run<{ createNote: { id: string } }>('mutation ($a: ID!) { createNote(authorId: $a, title: "t") { id } }', { a: author.data?.createAuthor.id });
    const id = note.data?.createNote.id;
    await run('mutation ($id: ID!) { touchNote(id: $id) { id } }', { id });
    const touched = await run<{ touchNote: { id: string } }>('mutation ($id: ID!) { touchNote(id: $id) { id } }', { id });
    expect(touched.data?.touchNote.id).toBe(id);
    const missing = await run('mutation { touchNote(id: "none") { id } }');
    expect(missing.errors?.[0]?.errorType).toBe('DynamoDB:ConditionalCheckFailedException');
  });

  it('given a subscriber to one author, when notes are created for two authors, then it receives only its author\'s note', async () => {
    const a = await run<{ createAuthor: { id: string } }>('mutation { createAuthor(name: "Cy") { id } }');
    const b = await run<{ createAuthor: { id: string } }>('mutation { createAuthor(name: "Di") { id } }');
    const authorId = a.data?.createAuthor.id ?? '';
    const client = await RealtimeClient.connect({ realtimeUrl: app.realtimeUrl, graphqlUrl: app.graphqlUrl, credentials: key, caPath: app.caPath });
    try {
      const ack = await client.start('s1', 'subscription ($a: ID) { onCreateNote(authorId: $a) { id title authorId } }', { a: authorId }, key);
      expect(ack.type).toBe('start_ack');
      await run('mutation ($a: ID!) { createNote(authorId: $a, title: "other") { id title authorId } }', { a: b.data?.createAuthor.id });
      await run('mutation ($a: ID!) { createNote(authorId: $a, title: "mine") { id title authorId } }', { a: authorId });
      await client.until(() => (client.data('s1').length > 0 ? true : undefined));
      expect(client.data('s1').map((d) => (d['onCreateNote'] as { title: string }).title)).toEqual(['mine']);
    } finally {
      client.close();
    }
  });
});
