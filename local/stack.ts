/**
 * `startLocalStack`: the system the CDK app describes, on this machine. This module only composes
 * the parts (each in a module of its own, named below) and decides the order they start and stop
 * in; the options and the returned stack are in stack-contract.ts.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { apiEndpoints, apiKeysOf, namedApi, reloadApis, routeApis, selectApi, servedApis } from './apis.js';
import { type ApiAuth, apiUserPool, createApiAuth } from './auth/api-auth.js';
import { createLocalIssuer } from './auth/local-issuer.js';
import { startLocalCognito } from './cognito/index.js';
import { resolveIntrinsics } from './cdk/template.js';
import { type ApiSpec, type Topology, readTopology } from './cdk/topology.js';
import { notRun, notRunTable } from './cdk/not-run.js';
import { createEventBuses } from './events/index.js';
import { buildFunctions, LocalFunctions } from './functions.js';
import { DynamoDbSource } from './graphql/dynamodb-source.js';
import { AppSyncEngine } from './graphql-adapters/engine.js';
import { watchApi } from './graphql-adapters/api-watch.js';
import { EngineHolder } from './graphql/engine-holder.js';
import { SubscriptionHub } from './graphql/subscriptions.js';
import { watchFunctions } from './lambda/watch.js';
import { createDualServer } from './http/dual-server.js';
import { lateRoutes } from './http/routes.js';
import { createS3Gateway } from './http/s3-gateway.js';
import { createMessaging } from './messaging/index.js';
import { amplifyOutputs } from './outputs.js';
import { createConsoleSite } from './console/site.js';
import { type S3PrincipalLookup, bucketsOfTemplate, createLocalS3, s3Principals } from './s3/index.js';
import { prepareTables } from './services/tables.js';
import { tableNameOf } from './cdk/table-names.js';
import type { LocalStack, LocalStackOptions } from './stack-contract.js';
import { FunctionNotFoundError, startLocalStepFunctions } from './stepfunctions/index.js';
import { Timeline } from './startup/timeline.js';
import { type EarlyStart, beginStart } from './startup/early.js';
import { watchedPaths } from './startup/synth-cache.js';
import { runtimeMismatch } from './startup/node-runtime.js';
import { ensureLocalCertificate } from './tls.js';
import {
  ACCOUNT_ID,
  type Endpoints,
  type IamPrincipal,
  iamAuthorizer,
  loadSeed,
  localNames,
  localValues,
} from './wiring.js';

export type { LocalStack, LocalStackOptions } from './stack-contract.js';

const AWS_ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

/** A settled part's value, or its failure thrown. */
const valueOf = <T>(part: PromiseSettledResult<T>): T => {
  if (part.status === 'rejected') throw part.reason;
  return part.value;
};

export async function startLocalStack(options: LocalStackOptions, early?: EarlyStart): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const region = options.region ?? 'us-east-1';
  const timeline = options.timeline ?? new Timeline();
  const phase = timeline.phase.bind(timeline);
  // The synthesis and DynamoDB Local run while everything else starts (local/startup/early.ts);
  // `npm start` begins them before it even loads this module.
  const begun = early ?? (await beginStart(options, timeline));
  const { projectDir, stateDir, ephemeral } = begun;
  // Built (or found in the cache) while everything else starts; a test's stack builds it when asked.
  const consoleSite = createConsoleSite({ projectDir, log, eager: !ephemeral });
  const cleanups: (() => Promise<void>)[] = [() => begun.stop()];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => log(`stop: ${String(error)}`));
    }
    if (ephemeral) await rm(stateDir, { recursive: true, force: true });
  };

  try {
    const [certificate, seed] = await Promise.all([phase('TLS certificate', () => ensureLocalCertificate(stateDir)), phase('seed', () => loadSeed(stateDir))]);

    // Listen first: a port in use fails at once, and the real port goes into every function's
    // environment.
    const routes = lateRoutes();
    const server = createDualServer(certificate, routes.request, routes.upgrade);
    const port = await phase('listen', () => server.listen(options.port ?? 4000, '127.0.0.1'));
    cleanups.push(() => server.close());

    // Needs no template: it starts while the synthesis runs.
    const stepFunctions = await phase('Step Functions API', () =>
      startLocalStepFunctions({
        port: options.stepFunctionsPort ?? (ephemeral ? 0 : 8083),
        region,
        accountId: ACCOUNT_ID,
        stateDir: ephemeral ? null : stateDir,
        ...(options.stepFunctionsRetryIntervalMs === undefined ? {} : { retryIntervalMs: options.stepFunctionsRetryIntervalMs }),
        log,
      }),
    );
    cleanups.push(() => stepFunctions.stop());

    const template = await phase('wait for the synthesis', () => begun.template);
    const topology = await phase('read topology', () => readTopology(template));
    const names = localNames(topology, seed, region);
    // The API amplify_outputs.json describes (the others are in its `custom.graphql_apis`); a
    // wrong --api stops the start here, before anything else starts.
    const selectedSpec = selectApi(topology.apis, options.api);
    const runtimeNote = runtimeMismatch(topology.functions.values(), process.version);
    if (runtimeNote) log(runtimeNote);
    // AppSync's own scalars and directives, declared for the schema (schema/appsync.graphql).
    const builtins = await readFile(join(projectDir, 'schema', 'appsync.graphql'), 'utf8');
    const notRunText = notRunTable(notRun(template, topology, builtins));
    if (notRunText) log(notRunText);

    const principals: IamPrincipal[] = [...names.functionPrincipals.values(), names.developer];
    // Who may call S3 is known only with the endpoints' values (policy ARNs); the lookup reads them when asked.
    let s3Callers: S3PrincipalLookup = () => undefined;
    const s3 = await phase('S3', () =>
      createLocalS3({
        directory: join(stateDir, 'objects'),
        buckets: bucketsOfTemplate(template, names.bucketName),
        principals: (accessKeyId) => s3Callers(accessKeyId),
        region,
        log,
      }),
    );
    const gateway = createS3Gateway({ handle: s3.handle });
    const s3Port = await gateway.listen(options.s3Port ?? 4569);
    cleanups.push(() => gateway.close());

    const messaging = await phase('SNS/SQS endpoint', () =>
      createMessaging({
        template,
        region,
        port: options.messaging?.port ?? (ephemeral ? 0 : 4576),
        principals,
        log,
        // Queued, delayed and in-flight messages survive a restart, even after kill -9.
        queueDir: ephemeral ? null : join(stateDir, 'sqs'),
      }),
    );
    cleanups.push(() => messaging.stop());

    const endpoints: Endpoints = {
      apis: apiEndpoints(topology.apis, port),
      s3: `http://127.0.0.1:${s3Port}`,
      // Known before DynamoDB Local answers: nothing below needs it to answer until the tables.
      dynamodb: begun.dynamodbEndpoint,
      messaging: messaging.endpoint,
      stepFunctions: stepFunctions.url,
    };
    const values = localValues(template, names, endpoints);
    s3Callers = s3Principals(principals, topology.roles, values, names.developer);

    const functions = new LocalFunctions();
    const invokeFunction = functions.invoke;
    const eventBuses = createEventBuses({ template, messaging, invoke: invokeFunction, region, accountId: ACCOUNT_ID, log });
    const dynamodbSource = new DynamoDbSource({ endpoint: endpoints.dynamodb, region });
    cleanups.push(async () => dynamodbSource.close());
    // A hub per API: a mutation of one API never reaches another's subscribers.
    const hubs = new Map(topology.apis.map((api) => [api.logicalId, new SubscriptionHub()]));
    const newEngine = (api: ApiSpec, from: Topology = topology) =>
      new AppSyncEngine({
        api,
        builtins,
        invokeFunction,
        iamAllows: iamAuthorizer(from, names, values, api.logicalId),
        dynamodb: dynamodbSource,
        tableName: (logicalId) => tableNameOf(template, logicalId),
        hub: hubs.get(api.logicalId) ?? new SubscriptionHub(),
        dataSources: {
          resolve: (value) => resolveIntrinsics(value, values),
          signingCredentials: names.developer,
          putEvents: async (bus, entries) => eventBuses.put(bus, entries),
          log,
          // HTTP data sources calling AWS services reach the local ones (data-sources/http.ts).
          // Every one of SERVED_AWS_SERVICES but events, which is put on the local buses directly.
          awsServiceEndpoints: { sns: messaging.endpoint, sqs: messaging.endpoint, states: stepFunctions.url, 'sync-states': stepFunctions.url, dynamodb: begun.dynamodbEndpoint },
        },
      });
    const apiKeys = new Map(topology.apis.map((api) => [api.logicalId, apiKeysOf(api, names)]));

    // Independent parts, each waiting only for what it needs. The order they begin in matters:
    // the bundles (esbuild's own process) and the tables (DynamoDB Local's JVM) proceed while
    // this thread validates the state machines and builds the GraphQL engine.
    const parts = await Promise.allSettled([
      phase(`build ${topology.functions.size} functions (esbuild)`, () =>
        buildFunctions(topology, values, names, endpoints, projectDir, stateDir, options.functionOutput, options.faults, options.appDir === undefined ? undefined : resolve(options.appDir)),
      ),
      phase('DynamoDB tables (after DynamoDB Local answers)', async () => {
        const dynamo = await begun.dynamodb;
        await prepareTables(template, topology, dynamo.endpoint, region);
      }),
      phase('user-pool issuer and API auth modes', async () => {
        const issuer = await createLocalIssuer({ stateDir, region, userPoolId: names.userPoolId, clientId: names.userPoolClientId });
        const auths = new Map<string, ApiAuth>();
        // One after another: OIDC modes share the state folder's signing key, created by the first.
        for (const api of topology.apis) {
          auths.set(api.logicalId, await createApiAuth({
            api,
            stateDir,
            region,
            apiId: names.apiIds.get(api.logicalId) ?? api.logicalId,
            apiKeys: apiKeys.get(api.logicalId) ?? [],
            userPool: await apiUserPool(api, topology, names, (value) => resolveIntrinsics(value, values), (userPoolId, clientId) =>
              userPoolId === issuer.userPoolId ? Promise.resolve(issuer) : createLocalIssuer({ stateDir, region, userPoolId, clientId }),
            ),
            iamCredentials: principals,
            resolve: (value) => resolveIntrinsics(value, values),
            invokeFunction,
          }));
        }
        return { issuer, auths };
      }),
      phase('Step Functions definitions', () =>
        stepFunctions.load({
          template,
          values,
          roles: topology.roles,
          callers: principals.map((p) => ({
            accessKeyId: p.accessKeyId,
            secretAccessKey: p.secretAccessKey,
            arn: p.identity.userArn,
            roleLogicalId: p.roleLogicalId,
            fullAccess: p === names.developer,
          })),
          // A missing function is Lambda.ResourceNotFoundException to a Task (tasks.ts).
          invokeFunction: async (name, payload) => {
            if (!functions.has(name)) throw new FunctionNotFoundError(name);
            return functions.invoke(name, payload);
          },
        }),
      ),
      phase('GraphQL engine (schema, APPSYNC_JS resolvers)', async () => {
        return new Map(topology.apis.map((api) => [api.logicalId, new EngineHolder(newEngine(api))]));
      }),
    ]);
    const [built, , authorized, stateMachines, engineBuilt] = parts;
    // What did start stops with the rest if another part failed; executions stop before the
    // functions they call.
    if (built.status === 'fulfilled') {
      functions.add(built.value);
      cleanups.push(() => functions.stop());
    }
    if (stateMachines.status === 'fulfilled') cleanups.push(() => stateMachines.value.close());
    const failed = parts.find((part): part is PromiseRejectedResult => part.status === 'rejected');
    if (failed) throw failed.reason;
    const stepFunctionsService = valueOf(stateMachines);
    if (stepFunctionsService.stateMachines.length > 0) {
      log(`Step Functions API on ${stepFunctions.url}: ${stepFunctionsService.stateMachines.map((m) => m.name).join(', ')}`);
    }
    const { issuer, auths } = valueOf(authorized);
    const { all: apis, selected } = servedApis(topology.apis, selectedSpec, { endpoints: endpoints.apis, apiKeys, auths, engines: valueOf(engineBuilt) });
    const { oidc } = selected.auth;
    const apiRoutes = routeApis(apis, {
      graphqlHost: [`localhost:${port}`, `127.0.0.1:${port}`],
      ...(options.keepAliveMs ? { keepAliveMs: options.keepAliveMs } : {}),
      ...(options.realtime?.initTimeoutMs ? { initTimeoutMs: options.realtime.initTimeoutMs } : {}),
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message, details) => log(`realtime: ${message} ${details ? JSON.stringify(details) : ''}`),
        error: (message, details) => log(`realtime: ${message} ${details ? JSON.stringify(details) : ''}`),
      },
    }, log);
    cleanups.push(() => apiRoutes.close());
    const cognito = await phase('Cognito user pools', () => startLocalCognito({ template, stateDir, region, accountId: ACCOUNT_ID, userPoolIds: names.userPoolIds, userPoolClientIds: names.userPoolClientIds, seed, administrators: [{ ...names.developer, arn: names.developer.identity.userArn }], log }));
    cleanups.push(() => cognito.stop());
    routes.route({ cognito, console: consoleSite, apis: apiRoutes.byPath, log });

    // S3 notifications, SNS, SQS and schedules: local/messaging, wired from the template.
    await phase('messaging start', () => messaging.start({
      roles: topology.roles,
      values,
      bucketName: names.bucketName,
      functionExists: (logicalId) => functions.has(logicalId),
      invoke: invokeFunction,
      asyncRetryDelaysMs: options.asyncRetryDelaysMs ?? AWS_ASYNC_RETRY_DELAYS_MS,
      ...(options.messaging?.retryDelayMs === undefined ? {} : { retryDelayMs: options.messaging.retryDelayMs }),
      ...(options.messaging?.scheduleIntervalMs === undefined ? {} : { scheduleIntervalMs: options.messaging.scheduleIntervalMs }),
      ...(options.messaging?.pollersPerMapping === undefined ? {} : { pollersPerMapping: options.messaging.pollersPerMapping }),
      faults: { ...(options.messaging?.duplicateDelivery ? { duplicateDelivery: options.messaging.duplicateDelivery } : {}) },
    }));
    s3.onObjectCreated((event) => messaging.objectCreated(event));
    // Delivered only where a notification names ObjectRemoved events (messaging matches event names).
    s3.onObjectRemoved((event) => messaging.objectCreated(event));
    // Executions a stop left running go on now that the functions, tables and queues they use are up.
    stepFunctionsService.resume();

    const hotReload = options.hotReload ?? !ephemeral;
    if (hotReload) {
      const stopFunctionWatch = watchFunctions(functions.values(), { log, lastInvoked: (fn) => functions.lastInvoked(fn) });
      cleanups.push(async () => stopFunctionWatch());
      const appRoot = options.appDir === undefined ? projectDir : resolve(options.appDir);
      const paths = (hotReload === true ? await watchedPaths(appRoot) : hotReload.paths).map((p) => resolve(appRoot, p));
      const reload = reloadApis(apis, log);
      const stopApiWatch = watchApi({
        paths,
        log,
        // A handler's own files are the function watcher's: they need no re-synthesis.
        ignore: (file) => [...functions.values()].some((fn) => fn.inputs.includes(file)),
        rebuild: async () => {
          const next = readTopology(await begun.synthesizeAgain());
          const added = [...next.functions.keys()].filter((id) => !functions.has(id));
          if (added.length > 0) log(`hot reload: new functions (${added.join(', ')}) need a restart`);
          return reload(next.apis, (api) => newEngine(api, next));
        },
      });
      cleanups.push(async () => stopApiWatch());
    }

    const named = apis.map(namedApi);
    const { apiKey, ...described } = namedApi(selected);
    const outputs = amplifyOutputs({
      region,
      ...described,
      apiKey,
      ...(named.length > 1 ? { apis: named } : {}),
      userPoolId: names.userPoolId,
      userPoolClientId: names.userPoolClientId,
      userPoolEndpoint: `http://localhost:${port}/cognito`,
    });
    consoleSite.configure({ outputs, region, developer: names.developer, messagingEndpoint: messaging.endpoint, stepFunctionsEndpoint: stepFunctions.url });
    const outputsPath = options.outputsPath === undefined ? (ephemeral ? null : join(projectDir, 'amplify_outputs.json')) : options.outputsPath;
    if (outputsPath) await writeFile(outputsPath, `${JSON.stringify(outputs, null, 2)}\n`);
    await writeFile(
      join(stateDir, 'local-config.json'),
      `${JSON.stringify({ userPoolId: names.userPoolId, userPoolClientId: names.userPoolClientId, region, graphqlUrl: selected.endpoint.graphqlUrl }, null, 2)}\n`,
    );

    return {
      consoleUrl: `http://localhost:${port}/`,
      graphqlUrl: selected.endpoint.graphqlUrl,
      realtimeUrl: selected.endpoint.realtimeUrl,
      s3Endpoint: endpoints.s3,
      dynamodbEndpoint: endpoints.dynamodb,
      stepFunctionsEndpoint: endpoints.stepFunctions,
      region,
      apiKey,
      userPoolId: names.userPoolId,
      userPoolClientId: names.userPoolClientId,
      caPath: certificate.caPath,
      stateDir,
      outputs,
      developerCredentials: { accessKeyId: names.developer.accessKeyId, secretAccessKey: names.developer.secretAccessKey },
      topology,
      messagingEndpoint: messaging.endpoint,
      messaging,
      apis: named,
      apiKeys: apis.flatMap((api) => api.apiKeys),
      oidc: oidc ? { issuer: oidc.issuer, clientId: oidc.clientId } : undefined,
      issueTokens: (username, groups) => issuer.issueTokens({ username, ...(groups ? { groups } : {}) }),
      issueOidcToken: async (input) => {
        if (!oidc) throw new Error('The API has no OPENID_CONNECT mode');
        return oidc.issueToken(input);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
