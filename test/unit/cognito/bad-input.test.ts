import { describe, expect, it } from 'vitest';
import { CognitoError } from '../../../local/cognito/errors.js';
import { OPERATIONS } from '../../../local/cognito/service.js';
import { CLIENT_ID, POOL_ID, aConfirmedUser, aPool } from './given.js';

/** Bodies a careless or hostile client might send: missing fields, wrong types, wrong shapes. */
const BAD_BODIES: readonly Record<string, unknown>[] = [
  {},
  { ClientId: CLIENT_ID },
  { ClientId: 42, Username: ['x'], Password: { a: 1 } },
  {
    ClientId: CLIENT_ID,
    UserPoolId: POOL_ID,
    Username: 'bad@example.com',
    Password: 7,
    AuthFlow: 'USER_SRP_AUTH',
    AuthParameters: 'not a map',
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeResponses: [1, 2],
    UserAttributes: { email: 'x' },
    AccessToken: 'a.b.c',
    RefreshToken: '',
    Token: null,
    ConfirmationCode: 123456,
    GroupName: 'approvers',
  },
  { ClientId: CLIENT_ID, UserPoolId: POOL_ID, Username: 'taken@example.com', AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'taken@example.com', SRP_A: '0' }, UserAttributes: [{ Name: 'email', Value: 'not-an-email' }], Filter: 'email ~ nonsense', Limit: 1000 },
];

describe('given every operation and bodies of the wrong shape', () => {
  it("when each is run with each body, then it either succeeds or fails with a Cognito error, never anything else", async () => {
    const given = await aPool();
    await aConfirmedUser(given, 'taken@example.com');
    const unexpected: string[] = [];
    for (const name of Object.keys(OPERATIONS)) {
      for (const body of BAD_BODIES) {
        try {
          await given.call(name, body);
        } catch (error) {
          if (!(error instanceof CognitoError)) unexpected.push(`${name} ${JSON.stringify(body)}: ${String(error)}`);
        }
      }
    }
    expect(unexpected).toEqual([]);
  });
});
