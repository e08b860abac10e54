import { type DocumentNode, gql } from '@apollo/client';
import { generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmplifySession, apolloClient, configureAmplify, installWebSocket } from './support/clients.js';
import { userToken } from './support/identities.js';
import { ON_MESSAGE, ON_USER_MESSAGE, channel, publish } from './support/operations.js';
import { target } from './support/target.js';

/**
 * The off-the-shelf clients, unmodified, against the target: aws-amplify v6 (its `header-…`
 * subprotocol handshake and per-start authorization) and Apollo Client with
 * aws-appsync-auth-link (API key, user pools, SigV4) and aws-appsync-subscription-link. The raw
 * `ws` client is used throughout the rest of the suite.
 */

interface Result {
  readonly data: Record<string, unknown> | null | undefined;
  readonly errors: readonly { errorType?: string; message: string }[];
}

type Mode = 'apiKey' | 'userPool' | 'iam';

/** Collects what a subscription observes and lets a test wait for it. */
class Observed {
  readonly values: Record<string, unknown>[] = [];
  readonly errors: unknown[] = [];
  #wake: (() => void) | undefined;

  next = (value: Record<string, unknown>): void => {
    this.values.push(value);
    this.#wake?.();
  };

  error = (error: unknown): void => {
    this.errors.push(error);
    this.#wake?.();
  };

  async until(done: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.errors.length > 0) throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; received ${JSON.stringify(this.values)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

interface Live {
  readonly observed: Observed;
  unsubscribe(): void;
}

interface ClientUnderTest {
  query(query: string, variables: Record<string, unknown>, mode: Mode): Promise<Result>;
  /**
   * Resolves once the subscription is live: amplify reports its start_ack on the Hub; Apollo's
   * link reports nothing through Apollo Client 4, so `probe` events are published until one
   * arrives (deliveries are in order, so events published after that one are not missed).
   */
  subscribe(query: string, variables: Record<string, unknown>, mode: Mode, probe: () => Promise<unknown>): Promise<Live>;
}

const PROBE = 'probe';

/** What a subscription received, without probes and without the __typename Apollo's cache adds. */
const delivered = (observed: Observed): unknown[] =>
  JSON.parse(JSON.stringify(observed.values, (key, value: unknown) => (key === '__typename' ? undefined : value))) as unknown[];
const isProbe = (value: unknown) => JSON.stringify(value).includes(`"body":"${PROBE}"`);
const events = (observed: Observed) => delivered(observed).filter((value) => !isProbe(value));

const session: AmplifySession = { token: undefined };

const amplify: ClientUnderTest = {
  async query(query, variables, mode) {
    const client = generateClient({ authMode: mode === 'iam' ? 'iam' : mode });
    try {
      const result = (await client.graphql({ query, variables })) as { data: Record<string, unknown>; errors?: Result['errors'] };
      return { data: result.data, errors: result.errors ?? [] };
    } catch (failure) {
      // amplify rejects with the response when it has errors.
      const result = failure as { data?: Record<string, unknown> | null; errors?: Result['errors'] };
      return { data: result.data, errors: result.errors ?? [] };
    }
  },
  async subscribe(query, variables, mode) {
    const client = generateClient({ authMode: mode === 'iam' ? 'iam' : mode });
    const observed = new Observed();
    const acked = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`amplify reported no subscription ack; errors: ${JSON.stringify(observed.errors)}`));
      }, 15_000);
      const stop = Hub.listen('api', ({ payload }) => {
        const data = payload.data as { variables?: Record<string, unknown> } | undefined;
        if (payload.event === 'Subscription ack' && JSON.stringify(data?.variables) === JSON.stringify(variables)) {
          clearTimeout(timer);
          stop();
          resolve();
        }
      });
    });
    const subscription = (
      client.graphql({ query, variables }) as unknown as {
        subscribe(observer: { next: (value: { data: Record<string, unknown> }) => void; error: (error: unknown) => void }): { unsubscribe(): void };
      }
    ).subscribe({ next: (value) => observed.next(value.data), error: observed.error });
    await acked;
    return { observed, unsubscribe: () => subscription.unsubscribe() };
  },
};

const apolloAuth = async (mode: Mode) => {
  switch (mode) {
    case 'apiKey':
      return { type: 'API_KEY' as const, apiKey: target().apiKey };
    case 'userPool':
      return { type: 'AMAZON_COGNITO_USER_POOLS' as const, jwtToken: session.token ?? '' };
    case 'iam':
      return { type: 'AWS_IAM' as const, credentials: target().iam };
  }
};

const apollo: ClientUnderTest = {
  async query(query, variables, mode) {
    const client = apolloClient(await apolloAuth(mode));
    const document = gql(query);
    const isMutation = query.trimStart().startsWith('mutation');
    const result = isMutation
      ? await client.mutate({ mutation: document, variables, errorPolicy: 'all' })
      : await client.query({ query: document, variables, fetchPolicy: 'no-cache', errorPolicy: 'all' });
    const errors = (result.error as { errors?: Result['errors'] } | undefined)?.errors ?? [];
    return { data: result.data as Record<string, unknown> | null | undefined, errors };
  },
  async subscribe(query, variables, mode, probe) {
    const client = apolloClient(await apolloAuth(mode));
    const observed = new Observed();
    const subscription = client.subscribe({ query: gql(query) as DocumentNode, variables }).subscribe({
      next: (value) => {
        const result = value as { data?: Record<string, unknown> };
        if (result.data) observed.next(result.data);
      },
      error: observed.error,
    });
    for (let attempt = 0; observed.values.length === 0; attempt += 1) {
      if (attempt === 30) throw new Error(`no probe arrived; errors: ${JSON.stringify(observed.errors)}`);
      await probe();
      await observed.until(() => observed.values.length > 0, 'a probe', 500).catch(() => undefined);
    }
    return { observed, unsubscribe: () => subscription.unsubscribe() };
  },
};

describe.each([
  ['aws-amplify v6', amplify],
  ['Apollo Client + aws-appsync links', apollo],
] as const)('%s', (_name, client) => {
  let restore: () => void;
  beforeAll(async () => {
    restore = installWebSocket();
    session.token = await userToken('client-user');
    configureAmplify(session);
  });
  afterAll(() => restore());

  it('given the API key, when the client queries an @aws_api_key field, then it gets the value', async () => {
    const result = await client.query('{ apiKeyOnly }', {}, 'apiKey');
    expect(result).toEqual({ data: { apiKeyOnly: 'apiKeyOnly' }, errors: [] });
  });

  it('given a signed-in user, when the client queries a field of the default mode, then it gets the value', async () => {
    const result = await client.query('query { defaultOnly }', {}, 'userPool');
    expect(result).toEqual({ data: { defaultOnly: 'defaultOnly' }, errors: [] });
  });

  it('given a resolver error, when the client queries, then the error reaches it with AppSync\'s errorType', async () => {
    const result = await client.query('query { fail(errorType: "NotFoundError", message: "nothing here") }', {}, 'apiKey');
    expect(result.errors).toEqual([expect.objectContaining({ errorType: 'NotFoundError', message: 'nothing here' })]);
  });

  it('given a subscription with an argument, when matching and non-matching mutations run, then the client receives only the match, with its own selection', async () => {
    const ch = channel();
    const live = await client.subscribe(ON_MESSAGE, { channel: ch }, 'apiKey', () => publish({ channel: ch, body: PROBE }));
    try {
      await publish({ channel: channel('elsewhere'), body: 'not for me' });
      await publish({ channel: ch, kind: 'k', body: 'for me' });
      await live.observed.until(() => events(live.observed).length > 0, 'the matching event');
      expect(events(live.observed)).toEqual([{ onMessage: { channel: ch, kind: 'k', priority: null, body: 'for me' } }]);
    } finally {
      live.unsubscribe();
    }
  });

  it('given a user-pools-only subscription, when a signed-in user subscribes, then the client receives the events', async () => {
    const ch = channel();
    const live = await client.subscribe(ON_USER_MESSAGE, { channel: ch }, 'userPool', () => publish({ channel: ch, body: PROBE }));
    try {
      await publish({ channel: ch, body: 'to users' });
      await live.observed.until(() => events(live.observed).length > 0, 'the event');
      expect(events(live.observed)).toEqual([{ onUserMessage: { channel: ch, body: 'to users' } }]);
    } finally {
      live.unsubscribe();
    }
  });
});

describe('Apollo Client + aws-appsync-auth-link with SigV4', () => {
  it('given IAM credentials, when Apollo queries an @aws_iam field through the auth link, then the signed request is admitted', async () => {
    const result = await apollo.query('{ iamOnly }', {}, 'iam');
    expect(result).toEqual({ data: { iamOnly: 'iamOnly' }, errors: [] });
  });
});
