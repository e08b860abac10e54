/**
 * `npm start`: the whole system on this machine, wired from the synthesized CDK app.
 * Options: --port N (GraphQL, default 4000 or $PORT), --s3-port N (default 4569 or $S3_PORT),
 * --sqs-port N (SQS and SNS, default 4576 or $SQS_PORT), --sfn-port N (Step Functions, default
 * 8083 or $SFN_PORT); 0 picks a free port. --state-dir DIR (data, keys, certificate; default
 * .local/ or $LOCAL_STATE_DIR, as `npm run token` reads it), --outputs FILE (the client
 * configuration; default amplify_outputs.json at the repository root), --app-dir DIR (run the CDK
 * app in DIR instead of ours: its cdk.json, node_modules and context; its state and
 * amplify_outputs.json go in DIR), --api NAME (of an app with several GraphQL APIs, the one
 * amplify_outputs.json's `data` describes, by name or logical id; default the first).
 */
// First: on too old a Node, one line says which is needed before anything else loads.
import './startup/require-node.js';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { type EarlyStart, beginStart } from './startup/early.js';
import { Timeline, writeTimelineIfAsked } from './startup/timeline.js';
import { tuneHeapsForThroughput } from './heap-tuning.js';
import type { LocalStack } from './stack-contract.js';

/** Each port `npm start` opens that a person chooses: its flag, its variable, its default. */
const PORTS = {
  graphql: { service: 'GraphQL', flag: '--port', env: 'PORT', fallback: 4000 },
  s3: { service: 'S3', flag: '--s3-port', env: 'S3_PORT', fallback: 4569 },
  messaging: { service: 'SQS and SNS', flag: '--sqs-port', env: 'SQS_PORT', fallback: 4576 },
  stepFunctions: { service: 'Step Functions', flag: '--sfn-port', env: 'SFN_PORT', fallback: 8083 },
} as const;

/** A one-line message and exit 1: what a person fixes needs no stack trace. */
const fail = (message: string): never => {
  console.error(message);
  process.exit(1);
};

const readArguments = () => {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        's3-port': { type: 'string' },
        'sqs-port': { type: 'string' },
        'sfn-port': { type: 'string' },
        'state-dir': { type: 'string' },
        outputs: { type: 'string' },
        'app-dir': { type: 'string' },
        api: { type: 'string' },
      },
    }).values;
  } catch (error) {
    return fail(`${(error as Error).message}. Options: --port, --s3-port, --sqs-port, --sfn-port, --state-dir, --outputs, --app-dir, --api.`);
  }
};
const values: Readonly<Record<string, string | undefined>> = readArguments();

const portOf = ({ flag, env, fallback }: (typeof PORTS)[keyof typeof PORTS]): number => {
  const text = values[flag.slice(2)] ?? process.env[env];
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    return fail(`${flag} (or ${env}) must be a port number from 0 to 65535 (0 picks a free one), not "${text}".`);
  }
  return port;
};

const port = portOf(PORTS.graphql);
const s3Port = portOf(PORTS.s3);
const messagingPort = portOf(PORTS.messaging);
const stepFunctionsPort = portOf(PORTS.stepFunctions);
const chosen = [
  { port, owner: PORTS.graphql },
  { port: s3Port, owner: PORTS.s3 },
  { port: messagingPort, owner: PORTS.messaging },
  { port: stepFunctionsPort, owner: PORTS.stepFunctions },
];
for (const [i, a] of chosen.entries()) {
  const b = chosen.slice(i + 1).find((other) => other.port === a.port && a.port !== 0);
  if (b) fail(`${a.owner.flag} and ${b.owner.flag} both ask for port ${a.port}; give each its own.`);
}
const projectDir = fileURLToPath(new URL('..', import.meta.url));
// --app-dir runs the CDK app in that folder (its cdk.json), and its client configuration goes there.
// Its state too, unless --state-dir says otherwise: another app's tables and keys are not ours.
const appDir = values['app-dir'] === undefined ? undefined : resolve(projectDir, values['app-dir']);
const stateDirText = values['state-dir'] ?? process.env['LOCAL_STATE_DIR'];
const stateDir = stateDirText ? resolve(stateDirText) : appDir === undefined ? undefined : resolve(appDir, '.local');
const outputsPath = resolve(appDir ?? projectDir, values['outputs'] ?? 'amplify_outputs.json');
const started = Date.now();
// The process's V8 settings are this command's to choose: before any worker starts.
tuneHeapsForThroughput();
const timeline = new Timeline();
// Before this line: node and tsx starting.
timeline.record('node + tsx start', 0, performance.now());
const options = {
  projectDir,
  port,
  s3Port,
  stepFunctionsPort,
  messaging: { port: messagingPort },
  outputsPath,
  ...(stateDir ? { stateDir } : {}),
  ...(appDir ? { appDir } : {}),
  ...(values['api'] === undefined ? {} : { api: values['api'] }),
  timeline,
};
let early: EarlyStart | undefined;

/**
 * Each API's URLs and key; with several, each named, and the one amplify_outputs.json describes
 * marked.
 */
const apiLines = (stack: LocalStack): string =>
  stack.apis
    .map((api, index) => {
      const named = stack.apis.length === 1 ? '' : `  (${api.name}, ${api.logicalId}${api.graphqlUrl === stack.graphqlUrl ? ', in the client config' : ''})`;
      const tls = index === 0 ? `  (also ws://; TLS certificate: ${stack.caPath})` : '';
      return [`  GraphQL     ${api.graphqlUrl}${named}`, `  Real time   ${api.realtimeUrl}${tls}`, `  API key     ${api.apiKey ?? '(none)'}`].join('\n');
    })
    .join('\n');

try {
  // The synthesis and DynamoDB Local begin first and run while the stack's modules load.
  early = await beginStart(options, timeline);
  const { startLocalStack } = await timeline.phase("load the stack's modules", () => import('./stack.js'));
  const stack = await startLocalStack(options, early);
  await writeTimelineIfAsked(timeline);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
Local stack ready in ${seconds} s.
  Console     ${stack.consoleUrl}  (open it in a browser)
${apiLines(stack)}
  S3          ${stack.s3Endpoint}
  DynamoDB    ${stack.dynamodbEndpoint}  (DynamoDB Local, on 127.0.0.1 only; restarted if it dies)
  SQS + SNS   ${stack.messagingEndpoint}  (dead letters: npm run dlq)
  Step Fns    ${stack.stepFunctionsEndpoint}  (execution history: docs/orders.md)
  Cognito     ${stack.outputs.custom?.user_pool_endpoint ?? '(no user pool)'}  (sign-up codes: npm run mail; docs/local-stack.md#signing-up-and-in)
  State       ${stack.stateDir}
  Client config written to ${outputsPath}
  A user token:   npm run token -- alice
  IAM (full access): AWS_ACCESS_KEY_ID=${stack.developerCredentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${stack.developerCredentials.secretAccessKey}
Ctrl-C stops everything.`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) {
      // A second Ctrl-C does not wait: the exit hook still kills DynamoDB Local's JVM.
      process.exit(130);
    }
    stopping = true;
    console.log('\nStopping... (Ctrl-C again to quit at once)');
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  await early?.stop();
  const { PortInUseError, portInUseMessage } = await import('./http/dual-server.js');
  const { StartupError } = await import('./startup/startup-error.js');
  if (error instanceof StartupError) {
    // A part that cannot start says why in one line (no Java, too old a Java, ...).
    console.error(error.message);
  } else if (error instanceof PortInUseError) {
    // The listener knows its port; this command knows which flag set it.
    const owner = chosen.find((c) => c.port === error.port && c.port !== 0)?.owner;
    console.error(owner ? portInUseMessage(error.port, owner) : error.message);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  }
  process.exit(1);
}
