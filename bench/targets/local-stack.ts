/**
 * Target: the local stack, ephemeral, on free loopback ports. Prints what a client needs.
 * Functions' own log lines are dropped (set BENCH_VERBOSE to see them).
 */
import { serveUntilStopped } from '../lib/child.js';
import { PROJECT_DIR } from '../lib/paths.js';
import { startLocalStack } from '../../local/stack.js';

export interface LocalStackInfo {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly host: string;
  readonly region: string;
  readonly apiKey: string;
  readonly stateDir: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly developerCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

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
// 127.0.0.1 rather than localhost: the stack listens on IPv4 loopback only, and the load
// generators should not spend time on name resolution.
const port = new URL(stack.graphqlUrl).port;
const info: LocalStackInfo = {
  graphqlUrl: `http://127.0.0.1:${port}/graphql`,
  realtimeUrl: `ws://127.0.0.1:${port}/graphql/realtime`,
  host: `127.0.0.1:${port}`,
  region: stack.region,
  apiKey: stack.apiKey ?? '',
  stateDir: stack.stateDir,
  userPoolId: stack.userPoolId,
  userPoolClientId: stack.userPoolClientId,
  developerCredentials: stack.developerCredentials,
};
serveUntilStopped(info, () => stack.stop());
