/**
 * Starts a fixture CDK app as a developer would: `npm start -- --app-dir test/apps/<name>` (here
 * `node --import tsx local/main.ts`, what `npm start` runs), on free ports, with its state and
 * client configuration in a temporary folder. The stack is reached only over HTTP and WebSocket.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AmplifyOutputs } from '../../local/outputs.js';
import { TLS_CERT_FILE, TLS_DIR } from '../../local/tls.js';

export const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** One GraphQL API of the app. */
export interface AppApi {
  /** The API's name and logical id; empty for the API of a one-API app (its outputs do not name it). */
  readonly name: string;
  readonly logicalId: string;
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly apiKey: string;
}

export interface StartedApp {
  /** The API amplify_outputs.json's `data` describes (the first, unless `--api` names another). */
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly apiKey: string;
  /** Every API, in template order. */
  readonly apis: readonly AppApi[];
  /** The developer's IAM credentials (full access), as the start-up report prints them. */
  readonly developer: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly caPath: string;
  /** Everything the stack printed so far (start-up report, logs). */
  output(): string;
  stop(): Promise<void>;
}

export async function startApp(name: string, extraEnv: Record<string, string> = {}, extraArgs: readonly string[] = []): Promise<StartedApp> {
  const dir = await mkdtemp(join(tmpdir(), `app-${name}-`));
  const outputsPath = join(dir, 'amplify_outputs.json');
  const args = ['--import', 'tsx', 'local/main.ts', '--app-dir', `test/apps/${name}`, '--port', '0', '--s3-port', '0', '--sqs-port', '0', '--sfn-port', '0', '--state-dir', join(dir, 'state'), '--outputs', outputsPath, ...extraArgs];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: PROJECT_DIR, env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (process.env['E2E_VERBOSE']) process.stdout.write(chunk);
      if (text.includes('Local stack ready')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`npm start --app-dir ${name} exited (${code}) before it was ready:\n${text}`)));
  });
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGINT');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  const outputs = JSON.parse(await readFile(outputsPath, 'utf8')) as AmplifyOutputs;
  // The real-time URL as aws-amplify derives it from a GraphQL URL that is not AppSync's.
  const described: AppApi = { name: '', logicalId: '', graphqlUrl: outputs.data.url, realtimeUrl: `${outputs.data.url.replace(/^http:/, 'wss:')}/realtime`, apiKey: outputs.data.api_key ?? '' };
  // An app with several APIs lists them all; a one-API app's outputs describe only `data`.
  const apis = outputs.custom?.graphql_apis?.map((api) => ({ name: api.name, logicalId: api.logical_id, graphqlUrl: api.url, realtimeUrl: api.realtime_url, apiKey: api.api_key ?? '' })) ?? [described];
  const developer = /AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)/.exec(text);
  return {
    graphqlUrl: described.graphqlUrl,
    realtimeUrl: described.realtimeUrl,
    apiKey: described.apiKey,
    apis,
    developer: { accessKeyId: developer?.[1] ?? '', secretAccessKey: developer?.[2] ?? '' },
    caPath: join(dir, 'state', TLS_DIR, TLS_CERT_FILE),
    output: () => text,
    stop,
  };
}
