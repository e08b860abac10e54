/** Authorization rows (test/conformance/auth-modes.test.ts). */
import { type Credentials, type Endpoint, apiKey, graphql, iam, noCredentials, oidcToken, postRaw, token, userPoolToken } from '../client.js';
import { type Probe, errorShape, short } from '../probe.js';

const EVENT = '{ event(label: "who") { json } }';

/** The `identity` of the Lambda event a request with `credentials` produces. */
async function identityOf(endpoint: Endpoint, credentials: Credentials): Promise<Record<string, unknown> | null> {
  const { status, body } = await graphql(endpoint, EVENT, {}, credentials);
  const json = (body.data?.['event'] as { json: string } | null | undefined)?.json;
  if (status !== 200 || !json) throw new Error(`no event: HTTP ${status} ${short(body, 140)}`);
  return (JSON.parse(json) as { identity: Record<string, unknown> | null }).identity;
}

const identity = async (endpoint: Endpoint, credentials: Credentials) => short(await identityOf(endpoint, credentials), 400);

const keysOf = (identity: Record<string, unknown> | null) => (identity === null ? 'null' : `{${Object.keys(identity).join(', ')}}`);

const read = async (endpoint: Endpoint, field: string, credentials: Credentials) => {
  const { status, body } = await graphql(endpoint, `{ ${field} }`, {}, credentials);
  const value = body.data?.[field];
  return status !== 200 ? `HTTP ${status}` : value !== null && value !== undefined ? 'allowed' : `denied (${String(body.errors?.[0]?.['errorType'])})`;
};

export const authProbes: Probe[] = [
  {
    id: 'auth.apiKey',
    behaviour: 'API key, `identity` null',
    run: async ({ endpoint }) => `identity ${await identity(endpoint, apiKey())}`,
  },
  {
    id: 'auth.apiKeyExpiry',
    behaviour: 'API key expiry',
    cannotRun: 'the simulator takes one `apiKey` string and has no expiry setting',
  },
  {
    id: 'auth.iam',
    behaviour: 'IAM SigV4 identity in the Lambda event; a signature over another body',
    run: async ({ endpoint }) => {
      const auth = await identity(endpoint, iam());
      const other = await identityOf(endpoint, iam('ASIAANOTHERCALLER'));
      const body = JSON.stringify({ query: EVENT });
      const forged = await postRaw(endpoint, body, iam(), { signedBody: JSON.stringify({ query: '{ apiKeyOnly }' }) });
      return `identity ${auth}; another access key id: username ${JSON.stringify(other?.['username'])}; a signature over another body: HTTP ${
        forged.status
      } (signature not checked)`;
    },
  },
  {
    id: 'auth.userPools',
    behaviour: 'Cognito user pools, `Bearer` optional, identity shape',
    run: async ({ endpoint }) => {
      const id = await identityOf(endpoint, token(userPoolToken('alice', ['admins'])));
      const withBearer = await graphql(endpoint, '{ defaultOnly }', {}, token(`Bearer ${userPoolToken('alice')}`));
      const expired = await graphql(endpoint, '{ defaultOnly }', {}, token(userPoolToken('alice', undefined, { exp: 1_000_000_000 })));
      return `identity keys ${keysOf(id)}; "Bearer <token>": HTTP ${withBearer.status}${
        withBearer.status !== 200 ? ` ${short(withBearer.body.errors?.[0]?.['message'])}` : ''
      }; an expired, unsigned token: HTTP ${expired.status} ${expired.body.data?.['defaultOnly'] ? '(accepted: neither expiry nor signature checked)' : ''}`;
    },
  },
  {
    id: 'auth.groups',
    behaviour: '`cognito_groups` on `@aws_cognito_user_pools` and legacy `@aws_auth`',
    run: async ({ endpoint }) => {
      const admin = token(userPoolToken('ada', ['admins']));
      const user = token(userPoolToken('bob', ['users']));
      return `adminsOnly: admin ${await read(endpoint, 'adminsOnly', admin)}, other ${await read(
        endpoint,
        'adminsOnly',
        user,
      )}; legacyAdminsOnly: admin ${await read(endpoint, 'legacyAdminsOnly', admin)}, other ${await read(endpoint, 'legacyAdminsOnly', user)}`;
    },
  },
  {
    id: 'auth.oidc',
    behaviour: 'OIDC identity, IatTTL',
    run: async ({ endpoint }) => {
      const id = await identityOf(endpoint, token(oidcToken('olga')));
      const old = Math.floor(Date.now() / 1000) - 7_200;
      const stale = await graphql(endpoint, '{ oidcOnly }', {}, token(oidcToken('olga', { iat: old, auth_time: old, exp: old + 60 })));
      return `identity keys ${keysOf(id)}; a token issued 2 h ago and expired: ${
        stale.body.data?.['oidcOnly'] ? 'accepted' : `HTTP ${stale.status} ${short(stale.body.errors?.[0])}`
      }`;
    },
  },
  {
    id: 'auth.lambda',
    behaviour: 'AWS_LAMBDA authorizer',
    run: async ({ endpoint }) => {
      const { status, body } = await graphql(endpoint, '{ lambdaOnly }', {}, token('lambda-allow-0-conformance'));
      return `AWS_LAMBDA configured as an additional mode; a Lambda token on lambdaOnly: HTTP ${status} ${short(body.errors?.[0] ?? body.data)}`;
    },
  },
  {
    id: 'auth.inheritance',
    behaviour: 'directive inheritance type → field → default',
    run: async ({ endpoint }) => {
      const fields = async (credentials: Credentials) => {
        const { body } = await graphql(endpoint, '{ guarded { inherited overridden open } }', {}, credentials);
        const guarded = (body.data?.['guarded'] ?? {}) as Record<string, unknown>;
        return ['inherited', 'overridden', 'open'].map((f) => `${f} ${guarded[f] ? 'yes' : 'no'}`).join(', ');
      };
      return `API key: ${await fields(apiKey())}; IAM: ${await fields(iam())}; defaultOnly with API key ${await read(
        endpoint,
        'defaultOnly',
        apiKey(),
      )}, with a user-pool token ${await read(endpoint, 'defaultOnly', token(userPoolToken('alice')))}`;
    },
  },
  {
    id: 'auth.requestFailure',
    behaviour: 'request-level failure: HTTP 401 body',
    run: async ({ endpoint }) => {
      const none = await postRaw(endpoint, JSON.stringify({ query: '{ apiKeyOnly }' }), noCredentials);
      const wrongKey = await postRaw(endpoint, JSON.stringify({ query: '{ apiKeyOnly }' }), apiKey('da2-wrong'));
      const garbage = await postRaw(endpoint, JSON.stringify({ query: '{ defaultOnly }' }), token('not-a-token'));
      return `no credentials: HTTP ${none.status} ${none.text}; wrong key: HTTP ${wrongKey.status} …"${short(
        (wrongKey.json as { errors?: { message?: string }[] })?.errors?.[0]?.message,
      )}"; a token that is not a JWT: HTTP ${garbage.status} …"${short((garbage.json as { errors?: { message?: string }[] })?.errors?.[0]?.message)}"`;
    },
  },
  {
    id: 'auth.fieldDenial',
    behaviour: 'field-level denial: HTTP 200, null, `Unauthorized`',
    run: async ({ endpoint }) => {
      const { status, body } = await graphql(endpoint, '{ apiKeyOnly iamOnly }', {}, iam());
      return `HTTP ${status}, data ${short(body.data)}, errors[0] ${errorShape(body.errors?.[0])}, path ${short(body.errors?.[0]?.['path'])}`;
    },
  },
];
