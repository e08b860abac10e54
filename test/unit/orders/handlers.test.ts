import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { OutOfStockError } from '../../../resolvers/orders/domain/errors.js';
import { orderIdFor, requestFingerprint } from '../../../resolvers/orders/domain/identity.js';
import { OrdersService } from '../../../resolvers/orders/domain/orders-service.js';
import { createOrdersApi, viewOptionsOf } from '../../../resolvers/orders/handlers/orders-router.js';
import { parseStepInput, stepHandler } from '../../../resolvers/orders/handlers/saga-step.js';
import { paymentProviderFrom } from '../../../resolvers/orders/handlers/payment-wiring.js';
import { lazyPort } from '../../../resolvers/orders/handlers/wiring.js';
import { ConfigurationError } from '../../../resolvers/shared/errors.js';
import { createLogger } from '../../../resolvers/shared/logger.js';
import { world } from './fakes.js';

const context = { awsRequestId: 'req-1', functionName: 'fn', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/** A direct Lambda resolver event as AppSync sends it. */
const event = (parentTypeName: string, fieldName: string, args: Record<string, unknown>, options: { sub?: string | null; selection?: string[] } = {}) => ({
  arguments: args,
  identity: options.sub === null ? null : { sub: options.sub ?? 'alice', username: 'alice', claims: {}, sourceIp: [], defaultAuthStrategy: 'ALLOW', groups: null },
  source: null,
  request: { headers: { 'x-amzn-requestid': 'appsync-1' }, domainName: null },
  info: { fieldName, parentTypeName, variables: {}, selectionSetList: options.selection ?? ['id', 'status'], selectionSetGraphQL: '{ id status }' },
  prev: null,
  stash: {},
});

function api() {
  const w = world();
  const service = new OrdersService(w);
  const logger = createLogger('orders-api-test');
  logger.setLogLevel('SILENT');
  return { ...w, handler: createOrdersApi(() => service, logger) };
}

const PLACE = { input: { items: [{ sku: 'MUG-01', quantity: 1 }], paymentToken: 'tok_approve', clientToken: 'c-1' } };

describe('the orders API Lambda', () => {
  it('given placeOrder from a signed-in user, when invoked, then it returns the whole Order shape for that user', async () => {
    const { handler } = api();

    const result = (await handler(event('Mutation', 'placeOrder', PLACE), context)) as Record<string, unknown>;

    expect(result).toMatchObject({ id: orderIdFor('alice', 'c-1'), owner: 'alice', status: 'PENDING', payment: { status: 'NONE' } });
  });

  it('given bad input, when invoked, then the invocation fails with ValidationError (AppSync makes it the errorType)', async () => {
    const { handler } = api();
    await expect(handler(event('Mutation', 'placeOrder', { input: { ...PLACE.input, items: [] } }), context)).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('given no user identity (API key), when an order field is invoked, then UnauthorizedException', async () => {
    const { handler } = api();
    await expect(handler(event('Query', 'orders', {}, { sub: null }), context)).rejects.toMatchObject({ name: 'UnauthorizedException' });
  });

  it('given a failure that is not the caller\'s, when invoked, then an InternalError that says nothing more', async () => {
    const { handler, orders } = api();
    orders.get = async () => {
      throw new Error('the table is on fire');
    };
    await expect(handler(event('Query', 'order', { id: orderIdFor('alice', 'x') }), context)).rejects.toMatchObject({
      name: 'InternalError',
      message: 'An internal error occurred',
    });
  });

  it('given an unknown field, when invoked, then it fails rather than answering null', async () => {
    const { handler } = api();
    await expect(handler(event('Query', 'nope', {}), context)).rejects.toBeInstanceOf(Error);
  });

  it('given the selection, then the payment record is read only when transactions are selected', () => {
    expect(viewOptionsOf({ info: { selectionSetList: ['id', 'payment', 'payment/status'] } })).toEqual({ transactions: false });
    expect(viewOptionsOf({ info: { selectionSetList: ['payment/transactions', 'payment/transactions/type'] } })).toEqual({ transactions: true });
    expect(viewOptionsOf({ info: { selectionSetList: ['items/payment/transactions/amountCents'] } })).toEqual({ transactions: true });
    expect(viewOptionsOf({})).toEqual({ transactions: false });
  });
});

describe("a state's function", () => {
  it('given the input Step Functions passes (with a caught error), when parsed, then orderId and the error come through', () => {
    expect(parseStepInput({ orderId: 'o-1', error: { Error: 'OutOfStock', Cause: '{}' }, other: 1 })).toEqual({
      orderId: 'o-1',
      error: { Error: 'OutOfStock', Cause: '{}' },
    });
  });

  it.each([
    ['no orderId', {}],
    ['an empty orderId', { orderId: '' }],
    ['an error that is not {Error, Cause}', { orderId: 'o-1', error: 'boom' }],
    ['not an object', 'o-1'],
  ])('given %s, when parsed, then InvalidStepInput', (_label, input) => {
    expect(() => parseStepInput(input)).toThrow(expect.objectContaining({ name: 'InvalidStepInput' }));
  });

  it('given a step that ends the forward path, when the function runs, then its error leaves with its own name (what Catch matches)', async () => {
    const handler = stepHandler('orders-test', async () => {
      throw new OutOfStockError([{ sku: 'MUG-01', requested: 2, available: 1 }]);
    });
    await expect(handler({ orderId: 'o-1' }, context)).rejects.toMatchObject({ name: 'OutOfStock' });
  });

  it('given a step that succeeds, when the function runs, then it returns the step result', async () => {
    const handler = stepHandler('orders-test', async (_saga, input) => ({ orderId: input.orderId, status: 'PAID', outcome: 'PAID' }));
    expect(await handler({ orderId: 'o-1' }, context)).toEqual({ orderId: 'o-1', status: 'PAID', outcome: 'PAID' });
  });
});

describe('configuration', () => {
  it('given a port whose variable is missing, when the port is built, then nothing fails until it is used, and then ConfigurationError names it', () => {
    let built = 0;
    const port = lazyPort<{ use(): string }>(() => {
      built += 1;
      throw new ConfigurationError('Environment variable PRODUCTS_TABLE is not set');
    });
    expect(built).toBe(0);
    expect(() => port.use()).toThrow('PRODUCTS_TABLE');
  });

  it('given PAYMENT_PROVIDER other than the simulator, or a bad slow delay, then ConfigurationError', () => {
    expect(() => paymentProviderFrom({ PAYMENT_PROVIDER: 'stripe', PAYMENTS_TABLE: 't' })).toThrow(ConfigurationError);
    expect(() => paymentProviderFrom({ PAYMENT_SIMULATOR_SLOW_MS: 'soon', PAYMENTS_TABLE: 't' })).toThrow('PAYMENT_SIMULATOR_SLOW_MS');
    expect(() => paymentProviderFrom({})).toThrow('PAYMENTS_TABLE');
  });
});

describe('order identity', () => {
  it('given an owner and a client token, then the order id is a stable UUID, different per owner and per token', () => {
    const id = orderIdFor('alice', 'c-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(orderIdFor('alice', 'c-1')).toBe(id);
    expect(orderIdFor('bob', 'c-1')).not.toBe(id);
    expect(orderIdFor('alice', 'c-2')).not.toBe(id);
  });

  it('given the same lines in another order, then the fingerprint is the same; other quantities or token, another', () => {
    const a = requestFingerprint([{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }], 'tok');
    expect(requestFingerprint([{ sku: 'B', quantity: 2 }, { sku: 'A', quantity: 1 }], 'tok')).toBe(a);
    expect(requestFingerprint([{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 3 }], 'tok')).not.toBe(a);
    expect(requestFingerprint([{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }], 'tok2')).not.toBe(a);
  });
});
