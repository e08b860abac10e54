import { generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, subscribe } from '../../client/amplify.js';
import { CreateUploadDocument, OnFileEventDocument, type OnFileEventSubscription } from '../../client/generated/operations.js';
import { configureAmplify, installTrustingWebSocket, type LocalSession } from '../support/amplify.js';
import { putUpload } from '../support/files.js';
import { makeJpeg } from '../support/images.js';
import { target, tokenFor } from '../support/target.js';

/**
 * The unmodified aws-amplify v6 client, configured from the stack's amplify_outputs.json, as an
 * app would use it: queries and mutations over HTTP, subscriptions over AppSync's real-time
 * protocol (the `header-…` subprotocol handshake, `start` with `extensions.authorization`).
 */

/** Collects what an amplify subscription observes, and lets a test wait for it. */
class Observed<T> {
  readonly values: T[] = [];
  readonly errors: unknown[] = [];
  #wake: (() => void) | undefined;

  next = (value: T): void => {
    this.values.push(value);
    this.#wake?.();
  };

  error = (error: unknown): void => {
    this.errors.push(error);
    this.#wake?.();
  };

  async until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.errors.length > 0) throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${what}; received ${JSON.stringify(this.values)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/**
 * Resolves when amplify reports the `start_ack` of a subscription with these variables (amplify
 * dispatches 'Subscription ack' on the Hub's 'api' channel), so the test acts only once the
 * subscription is live: AppSync delivers nothing published before `start_ack`.
 */
function subscriptionAck(
  matches: (variables: Record<string, unknown>) => boolean,
  observed: { readonly errors: readonly unknown[] },
  timeoutMs = 15_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`amplify never reported the subscription ack; errors: ${JSON.stringify(observed.errors)}`));
    }, timeoutMs);
    const stop = Hub.listen('api', ({ payload }) => {
      const data = payload.data as { variables?: Record<string, unknown> } | undefined;
      if (payload.event === 'Subscription ack' && matches(data?.variables ?? {})) {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  });
}

describe('the aws-amplify v6 client against the local stack', () => {
  const session: LocalSession = { token: undefined };
  let restoreWebSocket: () => void;

  beforeAll(async () => {
    restoreWebSocket = installTrustingWebSocket(target().caPath);
    session.token = await tokenFor('amplify-alice');
    configureAmplify(target().outputs, session);
  });
  afterAll(() => restoreWebSocket());

  it('given the amplify_outputs.json of the stack, when amplify is configured, then its default mode is user pools and the realtime endpoint is the GraphQL URL plus /realtime over wss', () => {
    const outputs = JSON.parse(target().outputs) as { data: { url: string; default_authorization_type: string } };
    expect(outputs.data.url).toBe(target().graphqlUrl);
    expect(outputs.data.default_authorization_type).toBe('AMAZON_COGNITO_USER_POOLS');
    // amplify derives the realtime URL this way for a non-AppSync (custom) domain
    expect(outputs.data.url.replace('http://', 'wss://') + '/realtime').toBe(target().realtimeUrl);
  });

  it('given no user token, when amplify reads the public uploadPolicy with authMode apiKey, then it gets the policy', async () => {
    const client = generateClient({ authMode: 'apiKey' });
    const result = (await client.graphql({ query: '{ uploadPolicy { contentTypes maxBytes } }' })) as {
      data: { uploadPolicy: { contentTypes: string[]; maxBytes: number } };
      errors?: unknown[];
    };
    expect(result.errors).toBeUndefined();
    expect(result.data.uploadPolicy.contentTypes).toContain('image/jpeg');
    expect(result.data.uploadPolicy.maxBytes).toBeGreaterThan(0);
  });

  it('given a signed-in user, when she creates an upload, subscribes with client.graphql and PUTs a real JPEG, then the amplify subscription receives the steps as PROCESSING, then one READY', async () => {
    const image = await makeJpeg(320, 240);

    // `request` rejects when AppSync answers with errors.
    const { createUpload: ticket } = await request(CreateUploadDocument, {
      input: { fileName: 'amplify.jpg', contentType: 'image/jpeg', size: image.length },
    });
    expect(ticket.file.status).toBe('PENDING_UPLOAD');

    const observed = new Observed<OnFileEventSubscription>();
    const acked = subscriptionAck((variables) => variables['fileId'] === ticket.file.id, observed);
    const subscription = subscribe(OnFileEventDocument, { fileId: ticket.file.id }, observed.next, observed.error);
    try {
      await acked;

      const put = await putUpload(ticket, image);
      expect(put.status).toBe(200);

      await observed.until(() => observed.values.some((v) => ['READY', 'FAILED'].includes(v.onFileEvent?.status ?? '')), 30_000, 'READY');
      const events = observed.values.map((v) => v.onFileEvent!);
      // Each step (PROCESS, THUMBNAIL) reports when it starts and completes; notify sends READY.
      const statuses = events.map((e) => e.status);
      expect(statuses[0]).toBe('PROCESSING');
      expect(statuses.filter((status) => status === 'READY')).toEqual(['READY']);
      expect(statuses.slice(0, -1).every((status) => status === 'PROCESSING')).toBe(true);
      for (const event of events) {
        expect(event).toMatchObject({ fileId: ticket.file.id, owner: ticket.file.owner });
        expect(Object.keys(event).sort()).toEqual(['at', 'fileId', 'message', 'owner', 'status', 'step']);
      }
      expect(observed.errors).toEqual([]);
    } finally {
      subscription.unsubscribe();
    }
  });
});
