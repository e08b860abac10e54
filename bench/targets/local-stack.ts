/**
 * Target: the local stack, ephemeral, on free loopback ports. Prints what a client needs.
 * Functions' own log lines are dropped (set BENCH_VERBOSE to see them). Its functions are
 * instrumented (instrument.ts): `statsUrl` answers their invocation counts, durations, log
 * bytes and (with BENCH_COUNT_CALLS=1) their AWS calls; `statsUrl?env=NAME` a function's environment.
 */
import { createServer } from 'node:http';
import { serveUntilStopped } from '../lib/child.js';
import { PROJECT_DIR } from '../lib/paths.js';
import { tuneHeapsForThroughput } from '../../local/heap-tuning.js';
import { type StackTarget, stackTarget } from '../../test/support/stack-target.js';
import { functionEnvironment, functionStats, instrumentWorkers, resetStats } from './instrument.js';

/** What the tests' global setups provide of a stack, and what a load needs besides. */
export interface LocalStackInfo extends StackTarget {
  readonly realtimeUrl: string;
  readonly host: string;
  readonly dynamodbEndpoint: string;
  readonly stepFunctionsEndpoint: string;
  /** GET: the functions' figures; POST: zero them; GET ?env=NAME: that function's environment. */
  readonly statsUrl: string;
}

// This process stands for `npm start`: the same process-wide heap settings as local/main.ts.
tuneHeapsForThroughput();
const countCalls = process.env['BENCH_COUNT_CALLS'] === '1';
// Before the stack module loads, so every Worker it makes is the instrumented one.
const instrumented = instrumentWorkers({ countCalls });
const { startLocalStack } = await import('../../local/stack.js');

const verbose = Boolean(process.env['BENCH_VERBOSE']);
const stack = await startLocalStack({
  projectDir: PROJECT_DIR,
  port: 0,
  s3Port: 0,
  ephemeral: true,
  asyncRetryDelaysMs: [200, 400],
  log: (line) => {
    if (verbose) console.error(line);
  },
  functionOutput: (text) => {
    if (verbose) process.stderr.write(text);
  },
});
// No function has run yet (environments start on first use), so every one gets the proxies.
await instrumented.prepareProxies([...stack.topology.functions.values()].map((fn) => fn.logicalId), {
  dynamodb: stack.dynamodbEndpoint,
  s3: stack.s3Endpoint,
  sns: stack.messagingEndpoint,
  sqs: stack.messagingEndpoint,
});

const stats = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://local');
  const name = url.searchParams.get('env');
  if (request.method === 'POST') resetStats();
  const body = name === null ? { countCalls, functions: functionStats() } : (functionEnvironment(name) ?? null);
  response.writeHead(body === null ? 404 : 200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
});
await new Promise<void>((resolve) => stats.listen(0, '127.0.0.1', resolve));
const statsAddress = stats.address();

// 127.0.0.1 rather than localhost: the stack listens on IPv4 loopback only, and the load
// generators should not spend time on name resolution.
const port = new URL(stack.graphqlUrl).port;
const info: LocalStackInfo = {
  ...stackTarget(stack),
  graphqlUrl: `http://127.0.0.1:${port}/graphql`,
  realtimeUrl: `ws://127.0.0.1:${port}/graphql/realtime`,
  host: `127.0.0.1:${port}`,
  dynamodbEndpoint: stack.dynamodbEndpoint,
  stepFunctionsEndpoint: stack.stepFunctionsEndpoint,
  statsUrl: `http://127.0.0.1:${typeof statsAddress === 'object' && statsAddress ? statsAddress.port : 0}/stats`,
};
serveUntilStopped(info, async () => {
  stats.close();
  await stack.stop();
});
