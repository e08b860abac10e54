/**
 * Probes that need no served simulator (what its init() accepts) and hot reload, which is the
 * simulator's reload(config) on a simulator this process starts: the package has no file
 * watching of its own (the Amplify CLI's `amplify mock` watches and calls reload).
 */
import { freePort } from '../../../lib/child.js';
import { FIXTURE_SCHEMA, type SimulatorConfig, simulatorConfig } from '../config.js';
import { RealtimeSocket, apiKey, endpointAt, graphql, token, userPoolToken } from '../client.js';
import { createSimulator, startSimulator } from '../simulator.js';
import { type Probe, short, unique } from '../probe.js';

/** The message init() throws for the fixture's config changed by `change`, or undefined if it accepts it. */
export async function initError(change: (config: SimulatorConfig) => SimulatorConfig): Promise<string | undefined> {
  const simulator = createSimulator(0);
  try {
    simulator.init(change(simulatorConfig()));
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

const schemaWith = (extra: string) => `${FIXTURE_SCHEMA}\n${extra}\n`;

export const inProcessProbes: Probe[] = [
  {
    id: 'js.unitPipeline',
    behaviour: 'APPSYNC_JS unit and pipeline resolvers',
    runInProcess: async () => {
      const error = await initError((config) => ({
        ...config,
        resolvers: [
          {
            kind: 'UNIT',
            typeName: 'Query',
            fieldName: 'jsContext',
            dataSourceName: 'None',
            runtime: { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' },
            code: 'export function request() { return {}; }\nexport function response(ctx) { return ctx.result; }',
          },
        ],
      }));
      return error ? `a resolver with APPSYNC_JS code and no templates is refused at init: "${short(error, 100)}"` : 'accepted at init';
    },
  },
  {
    id: 'subscriptions.typeCheck',
    behaviour: "subscription type equals its mutations'",
    runInProcess: async () => {
      const error = await initError((config) => ({
        ...config,
        schema: { content: schemaWith('extend type Subscription { onItem: Item @aws_subscribe(mutations: ["publish"]) @aws_api_key }') },
      }));
      return error ? `refused at init: "${short(error, 120)}"` : 'a subscription returning Item on a mutation returning Message is accepted at init';
    },
  },
  {
    id: 'scalars.custom',
    behaviour: 'custom scalars',
    runInProcess: async () => {
      const error = await initError((config) => ({
        ...config,
        schema: { content: schemaWith('scalar Money\nextend type Query { price: Money @aws_api_key }') },
      }));
      return error ? `refused at init: "${short(error, 120)}"` : '`scalar Money` is accepted at init';
    },
  },
  {
    id: 'hotReload.handler',
    behaviour: 'a handler edit',
    cannotRun: 'handlers are functions the host passes to init(); the package neither builds nor watches them',
  },
  {
    id: 'hotReload.schema',
    behaviour: 'a resolver code or schema edit',
    runInProcess: async () => {
      const port = await freePort();
      const simulator = await startSimulator(port, simulatorConfig());
      const endpoint = endpointAt(port);
      const socket = await RealtimeSocket.connect(endpoint);
      try {
        const channel = unique('reload');
        await socket.start('r1', 'subscription S($channel: String) { onMessage(channel: $channel) { channel } }', { channel }, apiKey());
        const started = performance.now();
        simulator.reload(
          simulatorConfig({
            schema: schemaWith('extend type Query { added: String }'),
            templates: { 'field-name.res.vtl': '$util.toJson("edited: $ctx.info.fieldName")' },
          }),
        );
        const reloadMs = performance.now() - started;
        const user = token(userPoolToken('alice'));
        const edited = await graphql(endpoint, '{ defaultOnly added }', {}, user);
        await graphql(endpoint, 'mutation { publish(channel: "' + channel + '") { channel } }');
        const kept = await socket.until(() => socket.data('r1')[0], 2_000, 'data').catch(() => undefined);
        return `reload(config) ${reloadMs.toFixed(0)} ms; next request: ${short(edited.body.data)} (${
          edited.body.errors ? short(edited.body.errors[0]) : 'new field served'
        }); a subscription started before ${kept ? 'still delivers' : 'no longer delivers'}`;
      } finally {
        socket.close();
        await simulator.stop();
      }
    },
  },
  {
    id: 'hotReload.broken',
    behaviour: 'a broken edit',
    runInProcess: async () => {
      const port = await freePort();
      const simulator = await startSimulator(port, simulatorConfig());
      const endpoint = endpointAt(port);
      try {
        let thrown = 'nothing thrown';
        try {
          simulator.reload(simulatorConfig({ schema: 'type Query { broken' }));
        } catch (error) {
          thrown = `throws "${short((error as Error).message.split('\n')[0], 80)}"`;
        }
        let vtl = 'nothing thrown';
        try {
          simulator.reload(simulatorConfig({ templates: { 'field-name.res.vtl': '#if($ctx.args' } }));
        } catch (error) {
          vtl = `throws "${short((error as Error).message.split('\n')[0], 60)}"`;
        }
        const after = await graphql(endpoint, '{ apiKeyOnly }');
        return `unparsable schema: reload ${thrown}; broken VTL: reload ${vtl}; the last good version keeps serving (${short(after.body.data)})`;
      } finally {
        await simulator.stop();
      }
    },
  },
];
