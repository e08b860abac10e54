import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { apiKey, graphql, postRaw } from './support/http.js';
import { ON_MESSAGE, channel } from './support/operations.js';
import { RawRealtimeClient } from './support/raw-client.js';
import { isLocal } from './support/target.js';

/**
 * Bad input at the endpoint gets a clear error and changes nothing. Each case carries a
 * mutation that would write an item (DynamoDB PutItem), and each test checks afterwards that
 * the item does not exist.
 */

const putItem = (id: string) => `putItem(id: "${id}", name: "should not exist") { id }`;

async function itemExists(id: string): Promise<boolean> {
  const response = await graphql<{ item: unknown }>(apiKey(), 'query Get($id: ID!) { item(id: $id) { id } }', { id });
  expect(response.errors).toBeUndefined();
  return response.data?.item !== null;
}

describe('bad input over HTTP', () => {
  it('given a body that is not valid JSON, when it is posted, then the answer is 400 with a clear error and nothing is written', async () => {
    const id = randomUUID();
    const response = await postRaw(`{"query": "mutation { ${putItem(id).replace(/"/g, '\\"')} }"`, apiKey());
    expect(response.status).toBe(400);
    expect(response.json?.errors).toEqual([expect.objectContaining({ errorType: expect.any(String), message: expect.any(String) })]);
    if (isLocal()) expect(response.json?.errors?.[0]?.message).toMatch(/not valid JSON/);
    expect(await itemExists(id)).toBe(false);
  });

  it('given a batch (a JSON array of operations), when it is posted, then it is refused as a whole and nothing is written', async () => {
    const id = randomUUID();
    const body = JSON.stringify([{ query: `mutation { ${putItem(id)} }` }, { query: '{ apiKeyOnly }' }]);
    const response = await postRaw(body, apiKey());
    expect(response.status).toBe(400);
    expect(response.json?.errors?.[0]?.errorType).toEqual(expect.any(String));
    if (isLocal()) expect(response.json?.errors?.[0]?.message).toMatch(/Batched requests are not supported/);
    expect(await itemExists(id)).toBe(false);
  });

  it('given a document past the token limit, when it is posted, then parsing stops with a validation error and nothing is written', async () => {
    const id = randomUUID();
    const response = await graphql(apiKey(), `mutation { ${putItem(id).replace('{ id }', `{ id ${Array.from({ length: 16_000 }, (_, i) => `f${i}`).join(' ')} }`)} }`);
    expect(response.status).toBe(200);
    expect(response.data).toBeNull();
    expect(response.errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', message: expect.stringMatching(/token/i) })]);
    expect(await itemExists(id)).toBe(false);
  });

  it('given fragments that spread each other in a cycle, when the document is posted, then validation refuses it and nothing is written', async () => {
    const id = randomUUID();
    const query = `mutation { putItem(id: "${id}", name: "n") { ...A } } fragment A on Item { id ...B } fragment B on Item { name ...A }`;
    const response = await graphql(apiKey(), query);
    expect(response.data).toBeNull();
    expect(response.errors?.[0]).toMatchObject({ errorType: 'ValidationError', message: expect.stringMatching(/Cannot spread fragment "A" within itself/) });
    expect(await itemExists(id)).toBe(false);
  });

  it.skipIf(!isLocal())(
    'given 5,000 duplicated fields, when the document is posted, then it is refused as too complex to validate and nothing is written',
    async () => {
      const id = randomUUID();
      const response = await graphql(apiKey(), `mutation { ${putItem(id).replace('{ id }', `{ ${'id '.repeat(5_000)}}`)} }`);
      expect(response.data).toBeNull();
      expect(response.errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', message: expect.stringMatching(/too complex/) })]);
      expect(await itemExists(id)).toBe(false);
    },
  );

  it.skipIf(!isLocal())(
    'given 1,000 aliases of a mutation, when the document is posted, then it is refused before anything runs and nothing is written',
    async () => {
      const prefix = randomUUID();
      const fields = Array.from({ length: 1_000 }, (_, i) => `a${i}: ${putItem(`${prefix}-${i}`)}`).join(' ');
      const response = await graphql(apiKey(), `mutation { ${fields} }`);
      expect(response.data).toBeNull();
      expect(response.errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', message: expect.stringMatching(/aliases/) })]);
      expect(await itemExists(`${prefix}-0`)).toBe(false);
      expect(await itemExists(`${prefix}-999`)).toBe(false);
    },
  );

  it('given variables that are not an object, when posted, then the answer is a clear 400', async () => {
    const response = await postRaw(JSON.stringify({ query: '{ apiKeyOnly }', variables: [1, 2] }), apiKey());
    expect(response.status).toBe(400);
    expect(response.json?.errors?.[0]?.errorType).toEqual(expect.any(String));
  });
});

describe('bad input over WebSocket', () => {
  const clients: RawRealtimeClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  it('given an acknowledged connection, when it sends a frame that is not JSON, then it gets a BadRequestException error and the connection keeps working', async () => {
    const client = await RawRealtimeClient.connect(apiKey());
    clients.push(client);
    client.send('this is not json {');
    const error = await client.next((m) => m.type === 'error');
    expect(error.payload?.['errors']).toEqual([expect.objectContaining({ errorType: 'BadRequestException' })]);
    expect(await client.start('after', ON_MESSAGE, { channel: channel() }, apiKey())).toEqual({ type: 'start_ack', id: 'after' });
  });

  it('given a start whose data is not JSON, when it is sent, then that start gets an error with its id and the connection stays open', async () => {
    const client = await RawRealtimeClient.connect(apiKey());
    clients.push(client);
    client.send({ id: 'bad-data', type: 'start', payload: { data: '{not json', extensions: { authorization: {} } } });
    const error = await client.next((m) => m.type === 'error' && m.id === 'bad-data');
    expect(error.payload?.['errors']).toEqual([expect.objectContaining({ errorType: 'BadRequestException' })]);
    expect(client.closedWith).toBeUndefined();
  });
});
