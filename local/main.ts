/**
 * `npm start`: the whole system on this machine, wired from the synthesized CDK app.
 * Options: --port N (GraphQL, default 4000 or $PORT), --s3-port N (default 4569 or $S3_PORT),
 * --sqs-port N (SQS and SNS, default 4576 or $SQS_PORT), --sfn-port N (Step Functions, default
 * 8083 or $SFN_PORT).
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { type EarlyStart, beginStart } from './startup/early.js';
import { Timeline, writeTimelineIfAsked } from './startup/timeline.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    's3-port': { type: 'string' },
    'sqs-port': { type: 'string' },
    'sfn-port': { type: 'string' },
  },
});

// Lambda runs Node 22; the AWS SDK's warning about this machine's Node 20 is noise locally.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const port = Number(values.port ?? process.env['PORT'] ?? 4000);
const s3Port = Number(values['s3-port'] ?? process.env['S3_PORT'] ?? 4569);
const messagingPort = Number(values['sqs-port'] ?? process.env['SQS_PORT'] ?? 4576);
const stepFunctionsPort = Number(values['sfn-port'] ?? process.env['SFN_PORT'] ?? 8083);
const projectDir = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
const timeline = new Timeline();
// Before this line: node and tsx starting.
timeline.record('node + tsx start', 0, performance.now());
const options = { projectDir, port, s3Port, stepFunctionsPort, messaging: { port: messagingPort }, timeline };
let early: EarlyStart | undefined;

try {
  // The synthesis and DynamoDB Local begin first and run while the stack's modules load.
  early = await beginStart(options, timeline);
  const { startLocalStack } = await timeline.phase("load the stack's modules", () => import('./stack.js'));
  const stack = await startLocalStack(options, early);
  await writeTimelineIfAsked(timeline);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
Local stack ready in ${seconds} s.
  GraphQL     ${stack.graphqlUrl}
  Real time   ${stack.realtimeUrl}  (also ws://; TLS certificate: ${stack.caPath})
  API key     ${stack.apiKey ?? '(none)'}
  S3          ${stack.s3Endpoint}
  DynamoDB    ${stack.dynamodbEndpoint}  (DynamoDB Local listens on all interfaces; see docs/local-stack.md)
  SQS + SNS   ${stack.messagingEndpoint}  (dead letters: npm run dlq)
  Step Fns    ${stack.stepFunctionsEndpoint}  (execution history: docs/orders.md)
  Client config written to amplify_outputs.json
  A user token:   npm run token -- alice
  IAM (full access): AWS_ACCESS_KEY_ID=${stack.developerCredentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${stack.developerCredentials.secretAccessKey}
Ctrl-C stops everything.`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping...');
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  await early?.stop();
  const { PortInUseError } = await import('./http/dual-server.js');
  if (error instanceof PortInUseError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  }
  process.exit(1);
}
