import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COGNITO_PATH, createCognitoHttpHandler } from '../../../local/cognito/http.js';
import { CLIENT_ID, PASSWORD, POOL_ID, aPool } from './given.js';

const ADMIN = { accessKeyId: 'AKIALOCALADMIN', secretAccessKey: 'admin-secret', arn: 'arn:aws:iam::000000000000:user/developer' };
let server: Server;
let endpoint: string;

beforeAll(async () => {
  const given = await aPool();
  const handle = createCognitoHttpHandler({
    region: 'us-east-1',
    accountId: '000000000000',
    pools: [given.ctx],
    jwks: { keys: [] },
    principal: (id) => (id === ADMIN.accessKeyId ? { ...ADMIN, allows: () => true } : undefined),
    log: () => undefined,
  });
  server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}${COGNITO_PATH}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = async (operation: string, body: string) => {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
    body,
  });
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: (await response.json()) as Record<string, unknown> };
};

describe('given the HTTP adapter on a loopback port', () => {
  it("when the target names a property every object has (constructor, __proto__, toString), then 400 UnknownOperationException, not a 500", async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const answer = await post(name, '{}');
      expect({ name, status: answer.status, type: answer.body['__type'], header: answer.errorType }).toEqual({
        name,
        status: 400,
        type: 'UnknownOperationException',
        header: 'UnknownOperationException:',
      });
    }
  });

  it('when the body is JSON but not an object, or cut short, then 400 SerializationException; the pool still answers afterwards', async () => {
    for (const body of ['[]', 'null', '"SignUp"', '42', '{"ClientId":', '\u0000']) {
      const answer = await post('SignUp', body);
      expect({ body, status: answer.status, type: answer.body['__type'] }).toEqual({ body, status: 400, type: 'SerializationException' });
    }
    const signedUp = await post('SignUp', JSON.stringify({ ClientId: CLIENT_ID, Username: 'after@example.com', Password: PASSWORD }));
    expect(signedUp.status).toBe(200);
    expect(signedUp.body['UserConfirmed']).toBe(false);
  });

  it('when an admin operation is signed with an unknown key, a wrong secret or the known credential, then 400 UnrecognizedClientException, 403 InvalidSignatureException, 200', async () => {
    const client = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
    const outcome = async (credentials: { accessKeyId: string; secretAccessKey: string }) => {
      const sdk = client(credentials);
      try {
        const listed = await sdk.send(new ListUsersCommand({ UserPoolId: POOL_ID }));
        return { status: listed.$metadata.httpStatusCode, name: 'ok' };
      } catch (error) {
        const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
        return { status: e.$metadata?.httpStatusCode, name: e.name };
      } finally {
        sdk.destroy();
      }
    };
    expect(await outcome({ accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' })).toEqual({ status: 400, name: 'UnrecognizedClientException' });
    expect(await outcome({ accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'not-the-secret' })).toEqual({ status: 403, name: 'InvalidSignatureException' });
    expect(await outcome(ADMIN)).toEqual({ status: 200, name: 'ok' });
  });
});
