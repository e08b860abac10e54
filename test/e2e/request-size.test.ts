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
});
