/**
 * Usage per operation, what `npm run cost` multiplies by a workload: on a local stack of its own
 * whose functions' AWS calls go through counting proxies (BENCH_COUNT_CALLS=1, see
 * bench/targets/instrument.ts), one upload, one `file(id)`, one `files(limit: 20)` and one order
 * at a time, each kind measured between resets of the counters: invocations per function and
 * their durations and log bytes, DynamoDB capacity units as DynamoDB Local reports them consumed,
 * S3/SNS/SQS calls, Step Functions state transitions, and the real-time events each produced.
 * Not timed against anything: the figures are quantities, not speeds.
 */
import { randomUUID } from 'node:crypto';
import { GetExecutionHistoryCommand, ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import WebSocket from 'ws';
import type { BenchContext } from '../lib/context.js';
import { app } from '../lib/app.js';
import { userPoolToken } from '../lib/auth.js';
import { loadPhotos } from '../lib/photos.js';
import { type SectionReport, fmtInt, fmtMs, markdownTable } from '../lib/report.js';
import { type FunctionStats, readStackStats } from '../lib/stack-stats.js';
import { percentile, sleep } from '../lib/stats.js';
import { type LocalStackInfo, startLocalStackTarget } from '../lib/targets.js';
import { renderTemplate } from '../lib/template.js';
import { graphqlCall, put } from './pipeline.js';
import { type TemplateFacts, templateFacts } from '../cost/template-facts.js';
import { OPERATIONS } from '../lib/operations.js';

/** What one operation of a kind used, averaged over the measured ones. */
export interface OperationUsage {
  readonly operations: number;
  /** By function logical id: invocations per operation, ms per invocation, log bytes per invocation. */
  readonly functions: Readonly<Record<string, { readonly invocations: number; readonly meanMs: number; readonly p50Ms: number; readonly logBytes: number; readonly memoryMb: number }>>;
  /** By `service:Operation`: calls, capacity units and bytes per operation. */
  readonly calls: Readonly<Record<string, { readonly calls: number; readonly readUnits: number; readonly writeUnits: number; readonly bytes: number }>>;
  /** GraphQL operations AppSync would bill per operation (the client's, and the functions' IAM publishes). */
  readonly appsyncOperations: number;
  /** Real-time messages the operation's owner received per operation. */
  readonly realtimeMessages: number;
  readonly stateTransitions: number;
  /** Bytes the client itself PUT to S3 per operation (the upload). */
  readonly clientPutBytes: number;
}

export interface UsageFigures {
  readonly upload: OperationUsage;
  readonly fileQuery: OperationUsage;
  readonly filesQuery: OperationUsage;
  readonly order: OperationUsage;
  /** From the template: functions' memory and architecture, queue consumers, alarms and the like. */
  readonly facts: TemplateFacts;
}


/** One real-time subscription counting the owner's events of a field (AppSync's protocol). */
async function subscribe(info: LocalStackInfo, token: string, query: string, field: string, onEvent: (event: Record<string, unknown>) => void): Promise<WebSocket> {
  const header = Buffer.from(JSON.stringify({ host: info.host, Authorization: token })).toString('base64url');
  const socket = new WebSocket(info.realtimeUrl, ['graphql-ws', `header-${header}`]);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send('{"type":"connection_init"}'));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { type: string; payload?: { data?: Record<string, Record<string, unknown>> } };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: field, type: 'start', payload: { data: JSON.stringify({ query, variables: {} }), extensions: { authorization: { host: info.host, Authorization: token } } } }));
      } else if (message.type === 'start_ack') resolve();
      else if (message.type === 'data' && message.payload?.data?.[field]) onEvent(message.payload.data[field]);
      else if (message.type === 'error' || message.type === 'connection_error') reject(new Error(JSON.stringify(message)));
    });
  });
  return socket;
}

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`usage: timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The counters since the last reset, per operation. */
export function perOperation(functions: Readonly<Record<string, FunctionStats>>, operations: number, extra: Omit<OperationUsage, 'operations' | 'functions' | 'calls'>): OperationUsage {
  const fns: Record<string, OperationUsage['functions'][string]> = {};
  const calls: Record<string, { calls: number; readUnits: number; writeUnits: number; bytes: number }> = {};
  for (const [name, s] of Object.entries(functions)) {
    if (s.invocations > 0) {
      fns[name] = {
        invocations: s.invocations / operations,
        meanMs: s.totalMs / s.invocations,
        p50Ms: percentile(s.durations, 50),
        logBytes: s.logBytes / s.invocations,
        memoryMb: s.memoryMb,
      };
    }
    for (const [key, c] of Object.entries(s.calls)) {
      const entry = (calls[key] ??= { calls: 0, readUnits: 0, writeUnits: 0, bytes: 0 });
      entry.calls += c.calls / operations;
      entry.readUnits += c.readUnits / operations;
      entry.writeUnits += c.writeUnits / operations;
      entry.bytes += (c.bytes ?? 0) / operations;
    }
  }
  return { operations, functions: fns, calls, ...extra };
}

/** State transitions of the executions started since `since`: every state entered (what Standard workflows bill). */
async function stateTransitions(info: LocalStackInfo, since: Date): Promise<{ executions: number; transitions: number; running: number }> {
  const sfn = new SFNClient({ endpoint: info.stepFunctionsEndpoint, region: info.region, credentials: info.developerCredentials });
  try {
    let executions = 0;
    let transitions = 0;
    let running = 0;
    for (const machine of (await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? []) {
      const list = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn }))).executions ?? [];
      for (const execution of list.filter((e) => (e.startDate ?? new Date(0)) >= since)) {
        executions += 1;
        if (execution.status === 'RUNNING') running += 1;
        const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }));
        transitions += (history.events ?? []).filter((e) => (e.type ?? '').endsWith('StateEntered')).length;
      }
    }
    return { executions, transitions, running };
  } finally {
    sfn.destroy();
  }
}

export async function runUsage(ctx: BenchContext): Promise<SectionReport> {
  const { uploads, queries, orders } = ctx.options.usage;
  const { template } = await app();
  const stack = await startLocalStackTarget({ env: { BENCH_COUNT_CALLS: '1' } });
  const { info } = stack;
  try {
    const { token } = await userPoolToken(info, 'bench-usage');
    const { photos } = await loadPhotos(ctx.log);
    const events = { file: 0, order: 0 };
    const ready = new Set<string>();
    const orderDone = new Set<string>();
    const fileSocket = await subscribe(info, token, 'subscription { onFileEvent { fileId status } }', 'onFileEvent', (e) => {
      events.file += 1;
      if (e['status'] === 'READY' || e['status'] === 'FAILED') ready.add(String(e['fileId']));
    });
    const orderSocket = await subscribe(info, token, 'subscription { onOrderEvent { orderId status step } }', 'onOrderEvent', (e) => {
      events.order += 1;
      if (e['step'] === 'NOTIFY' || e['status'] === 'NEEDS_ATTENTION') orderDone.add(String(e['orderId']));
    });
    const upload = async (i: number) => {
      const photo = photos[i % photos.length]!;
      const { createUpload } = await graphqlCall<{ createUpload: { file: { id: string }; uploadUrl: string; uploadHeaders: string | null } }>(info.graphqlUrl, token, OPERATIONS.createUpload, {
        input: { fileName: 'usage.jpg', contentType: 'image/jpeg', size: photo.bytes.length },
      });
      const status = await put(createUpload.uploadUrl, JSON.parse(createUpload.uploadHeaders ?? '{}') as Record<string, string>, photo.bytes);
      if (status !== 200) throw new Error(`usage: PUT ${status}`);
      await until(`upload ${createUpload.file.id}`, () => ready.has(createUpload.file.id));
      return { id: createUpload.file.id, bytes: photo.bytes.length };
    };
    // Every function the measured operations use has run once: their init is not in the figures.
    ctx.log('Usage: warm-up (one upload, the queries, one order)');
    const warm = await upload(photos.length - 1);
    await graphqlCall(info.graphqlUrl, token, OPERATIONS.file, { id: warm.id });
    await graphqlCall(info.graphqlUrl, token, OPERATIONS.files, { limit: 20 });
    const placeOrder = async () => {
      const { placeOrder: order } = await graphqlCall<{ placeOrder: { id: string } }>(info.graphqlUrl, token, OPERATIONS.placeOrder, {
        input: { items: [{ sku: 'MUG-01', quantity: 1 }], paymentToken: 'tok_approve', clientToken: randomUUID() },
      });
      await until(`order ${order.id}`, () => orderDone.has(order.id));
      return order.id;
    };
    await placeOrder();
    await sleep(500);

    const measure = async (label: string, count: number, one: (i: number) => Promise<number>, extra: (total: { bytes: number; events: number }) => Omit<OperationUsage, 'operations' | 'functions' | 'calls'>) => {
      await readStackStats(info.statsUrl, true);
      const before = { file: events.file, order: events.order };
      let bytes = 0;
      for (let i = 0; i < count; i += 1) bytes += await one(i);
      await sleep(500); // late publishes and log writes
      const stats = await readStackStats(info.statsUrl);
      const total = { bytes, events: events.file - before.file + (events.order - before.order) };
      ctx.log(`  ${label}: ${count} measured, ${total.events} real-time events`);
      return perOperation(stats.functions, count, extra(total));
    };
    ctx.log(`Usage: ${uploads} upload(s), ${queries} of each query, ${orders} order(s), one at a time`);
    const perUpload = await measure('uploads', uploads, async (i) => (await upload(i)).bytes, (t) => ({
      // createUpload, and one IAM publish per event the owner received.
      appsyncOperations: 1 + t.events / uploads,
      realtimeMessages: t.events / uploads,
      stateTransitions: 0,
      clientPutBytes: t.bytes / uploads,
    }));
    const query = (q: string, variables: Record<string, unknown>) => async () => {
      await graphqlCall(info.graphqlUrl, token, q, variables);
      return 0;
    };
    const queryExtra = () => ({ appsyncOperations: 1, realtimeMessages: 0, stateTransitions: 0, clientPutBytes: 0 });
    const fileQuery = await measure('file(id)', queries, query(OPERATIONS.file, { id: warm.id }), queryExtra);
    const filesQuery = await measure('files(limit: 20)', queries, query(OPERATIONS.files, { limit: 20 }), queryExtra);
    const ordersSince = new Date();
    const perOrderBase = await measure('orders', orders, async () => {
      await placeOrder();
      return 0;
    }, (t) => ({ appsyncOperations: 1 + t.events / orders, realtimeMessages: t.events / orders, stateTransitions: 0, clientPutBytes: 0 }));
    await until('the order executions to end', async () => (await stateTransitions(info, ordersSince)).running === 0, 30_000);
    const sfn = await stateTransitions(info, ordersSince);
    const order: OperationUsage = { ...perOrderBase, stateTransitions: sfn.executions > 0 ? sfn.transitions / sfn.executions : 0 };
    fileSocket.terminate();
    orderSocket.terminate();
    const figures: UsageFigures = { upload: perUpload, fileQuery, filesQuery, order, facts: templateFacts(template) };
    return usageReport(ctx, figures);
  } finally {
    await stack.stop();
  }
}

function usageTable(kind: string, u: OperationUsage): string[][] {
  const rows: string[][] = Object.entries(u.functions).map(([fn, f]) => [kind, `Lambda ${fn}`, `${f.invocations.toFixed(2)} invocations, ${fmtMs(f.meanMs)} ms mean (p50 ${fmtMs(f.p50Ms)}), ${f.memoryMb} MB, ${fmtInt(f.logBytes)} log bytes each`]);
  for (const [key, c] of Object.entries(u.calls)) {
    const units = c.readUnits + c.writeUnits > 0 ? `, ${c.readUnits.toFixed(2)} read / ${c.writeUnits.toFixed(2)} write units` : '';
    rows.push([kind, key, `${c.calls.toFixed(2)} calls${units}${c.bytes > 0 ? `, ${fmtInt(c.bytes)} bytes` : ''}`]);
  }
  rows.push([kind, 'AppSync', `${u.appsyncOperations.toFixed(2)} operations, ${u.realtimeMessages.toFixed(2)} real-time messages`]);
  if (u.stateTransitions > 0) rows.push([kind, 'Step Functions', `${u.stateTransitions.toFixed(1)} state transitions`]);
  if (u.clientPutBytes > 0) rows.push([kind, 'S3 (client PUT)', `${fmtInt(u.clientPutBytes)} bytes`]);
  return rows;
}

function usageReport(ctx: BenchContext, figures: UsageFigures): SectionReport {
  const { uploads, queries, orders } = ctx.options.usage;
  const details = renderTemplate('usage', {
    uploads,
    queries,
    orders,
    table: markdownTable(
      ['per', 'what', 'measured'],
      [
        ...usageTable('upload', figures.upload),
        ...usageTable('file(id)', figures.fileQuery),
        ...usageTable('files(limit: 20)', figures.filesQuery),
        ...usageTable('order', figures.order),
      ],
    ),
  });
  return { name: 'usage', title: 'Usage per operation', comparisons: [], details, figures };
}
