import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { S3Event } from 'aws-lambda';
import { createAuthenticator } from './auth/authenticator.js';
import { createLocalIssuer, type IssuedTokens } from './auth/local-issuer.js';
import { synthesize } from './cdk/synth.js';
import { type LocalValues } from './cdk/template.js';
import { type Topology, readTopology } from './cdk/topology.js';
import type { Authenticator } from './contracts.js';
import { AppSyncEngine } from './graphql/engine.js';
import { createDualServer } from './http/dual-server.js';
import { createGraphQLHandler } from './http/graphql-handler.js';
import { createS3Gateway } from './http/s3-gateway.js';
import { FunctionError, LocalFunction, buildWorkerEntry } from './lambda/local-function.js';
import { amplifyOutputs, type AmplifyOutputs } from './outputs.js';
import { REALTIME_PATHS, createRealtimeServer } from './realtime/index.js';
import { startDynamoDbLocal } from './services/dynamodb.js';
import { startS3rver } from './services/s3rver.js';
import { ensureLocalCertificate } from './tls.js';
import {
  type Endpoints,
  type IamPrincipal,
  functionEnvironment,
  iamAuthorizer,
  loadSeed,
  localNames,
  localValues,
} from './wiring.js';

export interface LocalStackOptions {
  /** The repository root (cdk.json, infra/, schema/). */
  readonly projectDir: string;
  /** GraphQL port; 0 picks a free one. @default 4000 */
  readonly port?: number;
  /** S3 port; 0 picks a free one. @default 4569 */
  readonly s3Port?: number;
  /** Keys, certificates and (unless ephemeral) data. @default <projectDir>/.local */
  readonly stateDir?: string;
  /** Fresh, isolated state that is thrown away on stop (tests). @default false */
  readonly ephemeral?: boolean;
  /** @default us-east-1 */
  readonly region?: string;
  /** Delays between Lambda's asynchronous retries (S3 notifications). AWS: about 1 and 2 minutes. */
  readonly asyncRetryDelaysMs?: readonly number[];
  /** Interval of real-time `ka` messages. @default 60_000 */
  readonly keepAliveMs?: number;
  /** Writes amplify_outputs.json to this path. @default <projectDir>/amplify_outputs.json unless ephemeral */
  readonly outputsPath?: string | null;
  readonly log?: (line: string) => void;
  /** Receives the functions' own output (their JSON log lines). @default this process's stdout */
  readonly functionOutput?: (text: string) => void;
}

export interface LocalStack {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly region: string;
  readonly apiKey: string | undefined;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly caPath: string;
  readonly stateDir: string;
  readonly outputs: AmplifyOutputs;
  /** IAM credentials with full access, for operators and tests. */
  readonly developerCredentials: { accessKeyId: string; secretAccessKey: string };
  readonly topology: Topology;
  issueTokens(username: string, groups?: readonly string[]): Promise<IssuedTokens>;
  stop(): Promise<void>;
}

const AWS_ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const projectDir = resolve(options.projectDir);
  const log = options.log ?? ((line: string) => console.log(line));
  const region = options.region ?? 'us-east-1';
  const ephemeral = options.ephemeral ?? false;
  const stateDir = ephemeral
    ? await mkdtemp(join(tmpdir(), 'appsync-local-'))
    : resolve(options.stateDir ?? join(projectDir, '.local'));
  await mkdir(join(stateDir, 'dynamodb'), { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => log(`stop: ${String(error)}`));
    }
    if (ephemeral) await rm(stateDir, { recursive: true, force: true });
  };

  try {
    const [certificate, seed] = await Promise.all([ensureLocalCertificate(stateDir), loadSeed(stateDir)]);

    // Listen first: a port in use fails at once, and the real port goes into every function's
    // environment.
    const upgrade = { handle: (..._args: Parameters<Parameters<typeof createDualServer>[2]>) => undefined as void };
    const requests = { handle: (..._args: Parameters<Parameters<typeof createDualServer>[1]>) => undefined as void };
    const server = createDualServer(
      certificate,
      (request, response) => requests.handle(request, response),
      (request, socket, head) => upgrade.handle(request, socket, head),
    );
    const port = await server.listen(options.port ?? 4000, '127.0.0.1');
    cleanups.push(() => server.close());

    const [template, dynamo] = await Promise.all([
      synthesize({ projectDir, outDir: join(stateDir, 'cdk.out') }),
      startDynamoDbLocal(ephemeral ? {} : { dbPath: join(stateDir, 'dynamodb') }),
    ]);
    cleanups.push(() => dynamo.stop());
    const topology = readTopology(template);
    const names = localNames(topology, seed, region);

    const principals: IamPrincipal[] = [...names.functionPrincipals.values(), names.developer];
    const s3rver = await startS3rver({
      directory: join(stateDir, ephemeral ? 's3' : 's3'),
      buckets: topology.buckets.map((b) => names.bucketName(b.logicalId)),
      accessKeyIds: principals.map((p) => p.accessKeyId),
      region,
    });
    cleanups.push(() => s3rver.stop());
    const credentialsByKey = new Map(principals.map((p) => [p.accessKeyId, p]));
    const gateway = createS3Gateway({ upstream: s3rver.endpoint, credentials: (id) => credentialsByKey.get(id) });
    const s3Port = await gateway.listen(options.s3Port ?? 4569);
    cleanups.push(() => new Promise((done) => gateway.server.close(() => done())));

    const endpoints: Endpoints = {
      graphqlUrl: `http://localhost:${port}/graphql`,
      realtimeUrl: `wss://localhost:${port}/graphql/realtime`,
      s3: `http://127.0.0.1:${s3Port}`,
      dynamodb: dynamo.endpoint,
    };
    const values = localValues(template, names, endpoints);

    await createTables(topology, dynamo.endpoint, region);

    const functions = await buildFunctions(topology, values, names, endpoints, projectDir, stateDir, options.functionOutput);
    cleanups.push(async () => {
      await Promise.all([...functions.values()].map((fn) => fn.stop()));
    });
    const invokeFunction = (logicalId: string, event: unknown) => {
      const fn = functions.get(logicalId);
      if (!fn) throw new Error(`No local function ${logicalId}`);
      return fn.invoke(event);
    };

    const issuer = await createLocalIssuer({ stateDir, region, userPoolId: names.userPoolId, clientId: names.userPoolClientId });
    const apiKeys = topology.api.apiKeys.map((key) => ({
      id: names.apiKeys.get(key.logicalId) ?? key.logicalId,
      expires: key.expires ?? Math.floor(Date.now() / 1000) + 7 * 24 * 3600,
    }));
    const authenticator: Authenticator = createAuthenticator({
      defaultMode: topology.api.defaultMode,
      additionalModes: topology.api.additionalModes,
      apiKeys,
      userPool: { userPoolId: names.userPoolId, clientIds: [names.userPoolClientId], issuer: issuer.issuer, jwks: issuer.jwks },
      iam: { region, credentials: principals },
    });

    const engine = new AppSyncEngine({
      api: topology.api,
      builtins: await readFile(join(projectDir, 'schema', 'appsync.graphql'), 'utf8'),
      invokeFunction,
      iamAllows: iamAuthorizer(topology, names, values),
    });
    const graphql = createGraphQLHandler({ authenticator, engine });
    const graphqlHosts = [`localhost:${port}`, `127.0.0.1:${port}`];
    const realtime = createRealtimeServer({
      authenticator,
      engine,
      graphqlHost: graphqlHosts,
      ...(options.keepAliveMs ? { keepAliveMs: options.keepAliveMs } : {}),
    });
    cleanups.push(() => realtime.close());
    requests.handle = (request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path === '/graphql') {
        void graphql(request, response).catch((error: unknown) => {
          log(`graphql: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          if (!response.headersSent) {
            response.writeHead(500, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }] }));
          }
        });
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Not found. GraphQL is at /graphql, real time at /graphql/realtime.\n');
    };
    upgrade.handle = (request, socket, head) => {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      if (REALTIME_PATHS.includes(path)) realtime.handleUpgrade(request, socket, head);
      else socket.destroy();
    };

    routeBucketNotifications(topology, names, s3rver.onObjectCreated, invokeFunction, {
      retryDelaysMs: options.asyncRetryDelaysMs ?? AWS_ASYNC_RETRY_DELAYS_MS,
      log,
    });

    const apiKey = apiKeys[0]?.id;
    const outputs = amplifyOutputs({
      region,
      graphqlUrl: endpoints.graphqlUrl,
      apiKey,
      defaultMode: topology.api.defaultMode,
      additionalModes: topology.api.additionalModes,
      userPoolId: names.userPoolId,
      userPoolClientId: names.userPoolClientId,
    });
    const outputsPath = options.outputsPath === undefined ? (ephemeral ? null : join(projectDir, 'amplify_outputs.json')) : options.outputsPath;
    if (outputsPath) await writeFile(outputsPath, `${JSON.stringify(outputs, null, 2)}\n`);
    await writeFile(
      join(stateDir, 'local-config.json'),
      `${JSON.stringify({ userPoolId: names.userPoolId, userPoolClientId: names.userPoolClientId, region, graphqlUrl: endpoints.graphqlUrl }, null, 2)}\n`,
    );

    return {
      graphqlUrl: endpoints.graphqlUrl,
      realtimeUrl: endpoints.realtimeUrl,
      s3Endpoint: endpoints.s3,
      dynamodbEndpoint: endpoints.dynamodb,
      region,
      apiKey,
      userPoolId: names.userPoolId,
      userPoolClientId: names.userPoolClientId,
      caPath: certificate.caPath,
      stateDir,
      outputs,
      developerCredentials: { accessKeyId: names.developer.accessKeyId, secretAccessKey: names.developer.secretAccessKey },
      topology,
      issueTokens: (username, groups) => issuer.issueTokens({ username, ...(groups ? { groups } : {}) }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The template's tables, created in DynamoDB Local; an existing table (persisted state) is kept. */
async function createTables(topology: Topology, endpoint: string, region: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await Promise.all(
      topology.tables.map(async (table) => {
        try {
          await client.send(
            new CreateTableCommand({ TableName: table.logicalId, BillingMode: 'PAY_PER_REQUEST', ...(table.definition as object) } as never),
          );
        } catch (error) {
          if (!(error instanceof ResourceInUseException)) throw error;
          return;
        }
        if (table.timeToLiveAttribute) {
          await client.send(
            new UpdateTimeToLiveCommand({
              TableName: table.logicalId,
              TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
            }),
          );
        }
      }),
    );
  } finally {
    client.destroy();
  }
}

async function buildFunctions(
  topology: Topology,
  values: LocalValues,
  names: ReturnType<typeof localNames>,
  endpoints: Endpoints,
  projectDir: string,
  stateDir: string,
  onOutput: ((text: string) => void) | undefined,
): Promise<Map<string, LocalFunction>> {
  // Bundles go under the project so their external packages resolve from its node_modules.
  const buildDir = join(projectDir, 'node_modules', '.cache', 'appsync-local', createHashOf(stateDir));
  const workerPath = await buildWorkerEntry(buildDir);
  const functions = new Map<string, LocalFunction>();
  for (const fn of topology.functions.values()) {
    functions.set(
      fn.logicalId,
      new LocalFunction({
        name: fn.logicalId,
        arn: values.getAtt(fn.logicalId, 'Arn'),
        entryPath: join(projectDir, fn.entry),
        entry: fn.entry,
        handlerName: fn.handlerName,
        timeoutSeconds: fn.timeoutSeconds,
        memoryMb: fn.memoryMb,
        environment: functionEnvironment(topology, fn.logicalId, values, names, endpoints),
        buildDir,
        workerPath,
        ...(onOutput ? { onOutput } : {}),
      }),
    );
  }
  await Promise.all([...functions.values()].map((fn) => fn.build()));
  return functions;
}

function createHashOf(text: string): string {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(36);
}

/**
 * S3 notifications as the template configures them. S3 invokes Lambda asynchronously: a failed
 * invocation is retried twice, then dropped (or sent to the function's on-failure destination,
 * which this stack does not configure yet), and the error is logged.
 */
function routeBucketNotifications(
  topology: Topology,
  names: ReturnType<typeof localNames>,
  onObjectCreated: (listener: (event: S3Event) => void | Promise<void>) => () => void,
  invoke: (logicalId: string, event: unknown) => Promise<unknown>,
  options: { retryDelaysMs: readonly number[]; log: (line: string) => void },
): void {
  onObjectCreated(async (event) => {
    for (const record of event.Records) {
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      const targets = topology.notifications.filter(
        (n) =>
          names.bucketName(n.bucketLogicalId) === record.s3.bucket.name &&
          n.events.some((e) => matchesEvent(e, `s3:${record.eventName}`)) &&
          (n.prefix === undefined || key.startsWith(n.prefix)) &&
          (n.suffix === undefined || key.endsWith(n.suffix)),
      );
      for (const target of targets) {
        void invokeAsync(target.target.functionLogicalId, { Records: [record] }, invoke, options);
      }
    }
  });
}

const matchesEvent = (pattern: string, eventName: string) =>
  pattern.endsWith('*') ? eventName.startsWith(pattern.slice(0, -1)) : pattern === eventName;

async function invokeAsync(
  functionLogicalId: string,
  event: unknown,
  invoke: (logicalId: string, event: unknown) => Promise<unknown>,
  options: { retryDelaysMs: readonly number[]; log: (line: string) => void },
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await invoke(functionLogicalId, event);
      return;
    } catch (error) {
      const reason = error instanceof FunctionError ? `${error.payload.errorType}: ${error.payload.errorMessage}` : String(error);
      const delay = options.retryDelaysMs[attempt];
      if (delay === undefined) {
        options.log(`${functionLogicalId}: asynchronous invocation failed for good after ${attempt + 1} attempts: ${reason}`);
        return;
      }
      options.log(`${functionLogicalId}: asynchronous invocation failed (${reason}); retrying in ${delay} ms`);
      await new Promise((done) => setTimeout(done, delay));
    }
  }
}
