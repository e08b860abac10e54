/**
 * The whole local stack killed with SIGKILL (its process group: the stack, DynamoDB Local's JVM,
 * everything) while uploads and orders are in flight, then started again on the same state
 * folder, as `npm start` runs it (test/support/stack-process.ts). Nothing may be lost: every
 * file ends READY or FAILED, every order CONFIRMED, FAILED or CANCELLED, no charge is refunded
 * twice and the stock matches the confirmed orders. Messages in flight at the kill come back
 * after their visibility timeout (6x the function's timeout, as on AWS), so this takes minutes.
 *
 * And a part that cannot start says why in one line: on a machine without Java, `npm start`
 * ends with one line naming what to install, not a stack trace.
 */
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrderFieldsFragment, PlaceOrderDocument, OrderDocument, ProductsDocument, CreateUploadDocument, FileDocument } from '../../client/generated/operations.js';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import { putUpload } from '../support/files.js';
import { type Credentials, graphql } from '../support/graphql-client.js';
import { FREE_PORTS, type StackProcess, bannerField, processesInGroup, startStackProcess } from '../support/stack-process.js';

const UPLOADS = 20;
const ORDERS = 10;
/** Long enough for a message in flight at the kill to come back (6 x 30 s) and be processed, on a loaded machine. */
const SETTLE_MS = 9 * 60_000;
const FILE_ENDS = ['READY', 'FAILED'];
const ORDER_ENDS = ['CONFIRMED', 'FAILED', 'CANCELLED'];

let work: string;
const started: StackProcess[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stack-sigkill-'));
});

afterAll(async () => {
  for (const run of started) run.killGroup();
  await rm(work, { recursive: true, force: true });
});

async function until<T>(probe: () => Promise<T | undefined>, what: string | (() => string), timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

describe('the local stack killed with SIGKILL mid-work, then started again on the same folder', () => {
  it(`given ${UPLOADS} uploads and ${ORDERS} orders in flight, when the process group is killed and the stack restarted, then every file and order ends, no charge is refunded twice and the stock matches`, async () => {
    const stateDir = join(work, 'state');
    const args = [...FREE_PORTS, '--state-dir', stateDir, '--outputs', join(work, 'amplify_outputs.json')];
    const first = startStackProcess(args);
    started.push(first);
    const before = { graphqlUrl: bannerField(await first.ready, 'GraphQL') };
    const config = JSON.parse(await readFile(join(stateDir, 'local-config.json'), 'utf8')) as { userPoolId: string; userPoolClientId: string; region: string };
    const issuer = await createLocalIssuer({ stateDir, region: config.region, userPoolId: config.userPoolId, clientId: config.userPoolClientId });
    const user: Credentials = { kind: 'userPool', token: (await issuer.issueTokens({ username: 'kill-nine' })).idToken };

    const stockOf = async (graphqlUrl: string): Promise<Map<string, number>> => {
      const response = await graphql(graphqlUrl, user, ProductsDocument, { limit: 100 });
      expect(response.errors).toBeUndefined();
      return new Map(response.data!.products.items.map((p) => [p.sku, p.stock]));
    };
    const stockBefore = await stockOf(before.graphqlUrl);
    const skus = [...stockBefore.entries()].filter(([, stock]) => stock >= ORDERS).map(([sku]) => sku).slice(0, 2);
    expect(skus.length).toBeGreaterThan(0);

    // Work in flight: every upload PUT and every order placed, then at once the kill.
    const tickets = await Promise.all(
      Array.from({ length: UPLOADS }, async (_, n) => {
        const bytes = await sharp({ create: { width: 120 + n, height: 90, channels: 3, background: '#447799' } }).jpeg().toBuffer();
        const created = await graphql(before.graphqlUrl, user, CreateUploadDocument, {
          input: { fileName: `kill-${n}.jpg`, contentType: 'image/jpeg', size: bytes.length },
        });
        expect(created.errors).toBeUndefined();
        return { ticket: created.data!.createUpload, bytes };
      }),
    );
    const [puts, orders] = await Promise.all([
      Promise.all(tickets.map(({ ticket, bytes }) => putUpload(ticket, bytes).then((r) => r.status))),
      Promise.all(
        Array.from({ length: ORDERS }, async (_, n) => {
          const response = await graphql(before.graphqlUrl, user, PlaceOrderDocument, {
            input: { items: [{ sku: skus[n % skus.length]!, quantity: 1 }], paymentToken: 'tok_approve', clientToken: `kill-nine-${n}` },
          });
          expect(response.errors).toBeUndefined();
          return response.data!.placeOrder.id;
        }),
      ),
    ]);
    expect(puts).toEqual(tickets.map(() => 200));
    first.killGroup();
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    await until(async () => ((await processesInGroup(first.pid)).length === 0 ? true : undefined), 'the killed group to be gone', 10_000);

    const second = startStackProcess(args);
    started.push(second);
    const after = { graphqlUrl: bannerField(await second.ready, 'GraphQL') };
    const statusNow = async (id: string) => (await graphql(after.graphqlUrl, user, FileDocument, { id })).data?.file?.status;
    // The kill came before the pipeline could finish: there is work to recover.
    const unfinished = (await Promise.all(tickets.map(({ ticket }) => statusNow(ticket.file.id)))).filter((status) => !FILE_ENDS.includes(status ?? ''));
    expect(unfinished.length).toBeGreaterThan(0);

    const files = await until(
      async () => {
        const all = await Promise.all(tickets.map(({ ticket }) => statusNow(ticket.file.id)));
        return all.every((status) => status !== undefined && FILE_ENDS.includes(status)) ? all : undefined;
      },
      'every file to end',
      SETTLE_MS,
    );
    expect(files.filter((status) => FILE_ENDS.includes(status ?? ''))).toHaveLength(UPLOADS);

    let lastSeen: string[] = [];
    const ended = await until(
      async () => {
        const all = await Promise.all(
          orders.map(async (id) => (await graphql(after.graphqlUrl, user, OrderDocument, { id })).data?.order),
        );
        lastSeen = all.map((order, n) => `${orders[n]}: ${order?.status ?? 'missing'}`);
        return all.every((order) => order != null && ORDER_ENDS.includes(order.status)) ? (all as OrderFieldsFragment[]) : undefined;
      },
      () => `every order to end; last seen:\n${lastSeen.join('\n')}\nthe restarted stack's output (end):\n${(second.stdout() + second.stderr()).split('\n').filter((line) => !line.startsWith('{')).slice(-40).join('\n')}`,
      SETTLE_MS,
    );
    for (const order of ended) {
      const charges = order.payment.transactions.filter((t) => t.type === 'CHARGE').length;
      const refunds = order.payment.transactions.filter((t) => t.type === 'REFUND').length;
      expect(charges, order.id).toBeLessThanOrEqual(1);
      expect(refunds, order.id).toBeLessThanOrEqual(charges);
      if (order.status === 'CONFIRMED') expect(refunds, order.id).toBe(0);
    }
    const stockAfter = await stockOf(after.graphqlUrl);
    for (const sku of skus) {
      const confirmed = ended
        .filter((o) => o.status === 'CONFIRMED')
        .flatMap((o) => o.items)
        .filter((item) => item.sku === sku)
        .reduce((sum, item) => sum + item.quantity, 0);
      expect(stockAfter.get(sku), sku).toBe((stockBefore.get(sku) ?? 0) - confirmed);
    }
  }, 25 * 60_000);
});

describe('npm start on a machine without Java', () => {
  it('when DynamoDB Local cannot start, then the start ends with exit 1 and one line naming what to install, no stack trace, and no process left', async () => {
    // A PATH with node and nothing else: no `java`.
    const bin = join(work, 'bin-without-java');
    await rm(bin, { recursive: true, force: true });
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
    const run = startStackProcess([...FREE_PORTS, '--state-dir', join(work, 'no-java'), '--outputs', join(work, 'no-java.json')], { env: { PATH: bin } });
    started.push(run);

    const exit = await run.exited;

    expect(exit.code).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^DynamoDB Local needs Java, and there is no `java` on PATH: install Java 17 or later/);
    expect(await processesInGroup(run.pid)).toEqual([]);
  }, 180_000);
});
