/**
 * A local HTTP stand-in for the parts of Stripe's API the Stripe adapter calls, answering with
 * the shapes Stripe's API reference documents (https://docs.stripe.com/api/payment_intents,
 * https://docs.stripe.com/api/refunds, https://docs.stripe.com/api/errors):
 *
 *   POST /v1/payment_intents               create (form-encoded; `payment_method`, `amount`, ...)
 *   POST /v1/payment_intents/:id/confirm   confirm: `succeeded`, or 402 card_error for a declined card
 *   GET  /v1/payment_intents/:id           retrieve
 *   POST /v1/refunds                       refund a succeeded PaymentIntent in full; 400 charge_already_refunded
 *   GET  /v1/refunds?payment_intent=...    list ({object: 'list', data, has_more, url})
 *
 * Requests with an `Idempotency-Key` seen before get the first response again (Stripe keeps
 * keys 24 hours). Test payment methods: `pm_card_visa` succeeds, `pm_card_chargeDeclined` is
 * declined (`card_declined`, decline_code `generic_decline`). It also answers Secrets Manager's
 * GetSecretValue (AWS JSON 1.1) for the secret key. Every request is recorded.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Intent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_confirmation' | 'succeeded' | 'requires_payment_method';
  payment_method: string | null;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
  last_payment_error: null | { type: string; code: string; message: string };
  latest_charge: string | null;
}

interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  status: 'succeeded';
  created: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  readonly authorization: string | undefined;
  readonly form: URLSearchParams;
}

export interface StripeStandIn {
  readonly port: number;
  readonly requests: RecordedRequest[];
  readonly intents: Map<string, Intent>;
  /** Answers the next `count` Stripe requests with a 500 api_error. */
  failNext(count: number): void;
  /** What GetSecretValue returns. */
  secret: string;
  secretReads: number;
  close(): Promise<void>;
}

const now = () => Math.floor(Date.now() / 1000);
const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 24)}`;

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const stripeError = (status: number, error: Record<string, unknown>) => ({ status, body: { error } });

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const intents = new Map<string, Intent>();
  const refunds: Refund[] = [];
  const requests: RecordedRequest[] = [];
  const idempotent = new Map<string, { status: number; body: unknown }>();
  let failures = 0;

  function route(method: string, path: string, form: URLSearchParams, query: URLSearchParams): { status: number; body: unknown } {
    if (failures > 0) {
      failures -= 1;
      return stripeError(500, { type: 'api_error', message: 'An unknown error occurred' });
    }
    if (method === 'POST' && path === '/v1/payment_intents') {
      const intent: Intent = {
        id: id('pi'),
        object: 'payment_intent',
        amount: Number(form.get('amount')),
        amount_received: 0,
        currency: String(form.get('currency')),
        status: 'requires_confirmation',
        payment_method: form.get('payment_method'),
        metadata: Object.fromEntries([...form.entries()].filter(([k]) => k.startsWith('metadata[')).map(([k, v]) => [k.slice(9, -1), v])),
        created: now(),
        livemode: false,
        last_payment_error: null,
        latest_charge: null,
      };
      intents.set(intent.id, intent);
      return { status: 200, body: intent };
    }
    const confirm = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path);
    if (method === 'POST' && confirm) {
      const intent = intents.get(confirm[1]!);
      if (!intent) return stripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${confirm[1]}'` });
      if (intent.status === 'succeeded') {
        return stripeError(400, {
          type: 'invalid_request_error',
          code: 'payment_intent_unexpected_state',
          message: 'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.',
          payment_intent: intent,
        });
      }
      if (intent.payment_method === 'pm_card_chargeDeclined') {
        const error = { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' };
        intent.status = 'requires_payment_method';
        intent.last_payment_error = error;
        return stripeError(402, { ...error, payment_intent: intent });
      }
      intent.status = 'succeeded';
      intent.amount_received = intent.amount;
      intent.latest_charge = id('ch');
      return { status: 200, body: intent };
    }
    const retrieve = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === 'GET' && retrieve) {
      const intent = intents.get(retrieve[1]!);
      return intent ? { status: 200, body: intent } : stripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' });
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const intent = intents.get(String(form.get('payment_intent')));
      if (!intent || intent.status !== 'succeeded') return stripeError(400, { type: 'invalid_request_error', message: 'This PaymentIntent does not have a successful charge to refund.' });
      if (refunds.some((r) => r.payment_intent === intent.id)) {
        return stripeError(400, { type: 'invalid_request_error', code: 'charge_already_refunded', message: `Charge ${intent.latest_charge} has already been refunded.` });
      }
      const refund: Refund = { id: id('re'), object: 'refund', amount: intent.amount, currency: intent.currency, payment_intent: intent.id, status: 'succeeded', created: now() };
      refunds.push(refund);
      return { status: 200, body: refund };
    }
    if (method === 'GET' && path === '/v1/refunds') {
      const data = refunds.filter((r) => r.payment_intent === query.get('payment_intent'));
      return { status: 200, body: { object: 'list', data, has_more: false, url: '/v1/refunds' } };
    }
    return stripeError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path})` });
  }

  const standIn: StripeStandIn = {
    port: 0,
    requests,
    intents,
    failNext: (count) => (failures = count),
    secret: 'sk_test_standin',
    secretReads: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const text = await body(request);
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (String(request.headers['x-amz-target'] ?? '') === 'secretsmanager.GetSecretValue') {
        standIn.secretReads += 1;
        const { SecretId } = JSON.parse(text) as { SecretId: string };
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ ARN: SecretId, Name: 'StripeSecretKey', SecretString: standIn.secret, VersionId: 'v1', CreatedDate: now() }));
        return;
      }
      const form = new URLSearchParams(text);
      const key = request.headers['idempotency-key'] as string | undefined;
      requests.push({ method: request.method ?? '', path: url.pathname, idempotencyKey: key, authorization: request.headers.authorization, form });
      const cacheKey = key === undefined ? undefined : `${key}\u0000${url.pathname}`;
      const answer = (cacheKey !== undefined && idempotent.get(cacheKey)) || route(request.method ?? '', url.pathname, form, url.searchParams);
      if (cacheKey !== undefined && answer.status < 500) idempotent.set(cacheKey, answer);
      response.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': id('req'), ...(key ? { 'idempotency-key': key } : {}) });
      response.end(JSON.stringify(answer.body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (standIn as { port: number }).port = (server.address() as AddressInfo).port;
  return standIn;
}
