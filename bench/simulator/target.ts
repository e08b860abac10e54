/**
 * Target: @aws-amplify/amplify-appsync-simulator, the tool people use today, serving the same
 * schema. `Query.uploadPolicy` is a UNIT resolver with VTL request/response templates on a
 * Lambda data source that calls the same handler bundle in this process (the simulator's own
 * way of running Lambda data sources); `Mutation.publishFileEvent` is a NONE data source
 * returning its input, like the APPSYNC_JS resolver of the real API.
 *
 * The simulator needs graphql 15, so it is installed apart, in bench/simulator/node_modules
 * (`npm ci --prefix bench/simulator`), and loaded through a require rooted there. Its module is
 * typed here by hand with the little this file uses, so `tsc` passes without that install.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Server } from 'node:http';
import { serveUntilStopped } from '../lib/child.js';
import { lambdaContext, loadHandler } from '../lib/lambda-context.js';
import { PROJECT_DIR, SIMULATOR_DIR } from '../lib/paths.js';
import { LAMBDA_REQUEST, LAMBDA_RESPONSE } from './vtl.js';

interface SimulatorInstance {
  init(config: unknown): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Private in the package; reached to bind it to loopback (it listens on every interface). */
  readonly _server: { readonly _httpServer: Server };
}
interface SimulatorModule {
  AmplifyAppSyncSimulator: new (config: { port: number; wsPort?: number }) => SimulatorInstance;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    bundle: { type: 'string' },
    handler: { type: 'string', default: 'handler' },
    function: { type: 'string', default: 'FilesApi' },
  },
});
if (!values.bundle || !values.port) throw new Error('--bundle and --port are required');
const port = Number(values.port);
const handler = await loadHandler(values.bundle, values.handler ?? 'handler');
const functionName = values.function ?? 'FilesApi';

const requireFromSimulator = createRequire(join(SIMULATOR_DIR, 'package.json'));
const { AmplifyAppSyncSimulator } = requireFromSimulator('@aws-amplify/amplify-appsync-simulator') as SimulatorModule;

const PUBLISH_REQUEST = `#set($event = $ctx.arguments.input)
$util.qr($event.put("at", $util.time.nowISO8601()))
{ "version": "2018-05-29", "payload": $util.toJson($event) }`;
const PASS_RESULT = '$util.toJson($ctx.result)';

const SIMULATOR_API_KEY = 'da2-benchsimulatorapikey0000';
const SIMULATOR_ACCESS_KEY_ID = 'ASIABENCHSIMULATOR';

const simulator = new AmplifyAppSyncSimulator({ port });
const httpServer = simulator._server._httpServer;
const listen = httpServer.listen.bind(httpServer) as (port: number, host: string) => Server;
(httpServer as unknown as { listen: (port: number) => Server }).listen = (p: number) => listen(p, '127.0.0.1');

simulator.init({
  schema: { content: await readFile(join(PROJECT_DIR, 'schema', 'schema.graphql'), 'utf8') },
  dataSources: [
    { type: 'AWS_LAMBDA', name: 'FilesApi', invoke: (payload: unknown) => handler(payload, lambdaContext(functionName)) },
    { type: 'NONE', name: 'None' },
  ],
  mappingTemplates: [
    { path: 'lambda.req.vtl', content: LAMBDA_REQUEST },
    { path: 'lambda.res.vtl', content: LAMBDA_RESPONSE },
    { path: 'publish.req.vtl', content: PUBLISH_REQUEST },
    { path: 'pass.res.vtl', content: PASS_RESULT },
  ],
  resolvers: [
    {
      kind: 'UNIT',
      typeName: 'Query',
      fieldName: 'uploadPolicy',
      dataSourceName: 'FilesApi',
      requestMappingTemplateLocation: 'lambda.req.vtl',
      responseMappingTemplateLocation: 'lambda.res.vtl',
    },
    {
      kind: 'UNIT',
      typeName: 'Mutation',
      fieldName: 'publishFileEvent',
      dataSourceName: 'None',
      requestMappingTemplateLocation: 'publish.req.vtl',
      responseMappingTemplateLocation: 'pass.res.vtl',
    },
  ],
  appSync: {
    name: 'bench',
    defaultAuthenticationType: { authenticationType: 'AMAZON_COGNITO_USER_POOLS', cognitoUserPoolConfig: {} },
    additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }, { authenticationType: 'AWS_IAM' }],
    apiKey: SIMULATOR_API_KEY,
    authAccessKeyId: SIMULATOR_ACCESS_KEY_ID,
    accountId: '123456789012',
  },
});
await simulator.start();

serveUntilStopped(
  {
    graphqlUrl: `http://127.0.0.1:${port}/graphql`,
    realtimeUrl: `ws://127.0.0.1:${port}/graphql/realtime`,
    host: `127.0.0.1:${port}`,
    apiKey: SIMULATOR_API_KEY,
    accessKeyId: SIMULATOR_ACCESS_KEY_ID,
  },
  () => simulator.stop(),
);
