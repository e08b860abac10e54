/** Direct Lambda resolver rows (test/conformance/direct-lambda.test.ts), through VTL on Lambda data sources. */
import { apiKey, graphql } from '../client.js';
import { type Probe, errorShape, short } from '../probe.js';
import { initError } from './in-process.js';

interface LambdaEvent {
  readonly arguments: Record<string, unknown>;
  readonly source: unknown;
  readonly request: { headers: Record<string, unknown> };
  readonly info: Record<string, unknown>;
}

const eventOf = (json: unknown) => JSON.parse(String(json)) as LambdaEvent;

export const lambdaProbes: Probe[] = [
  {
    id: 'lambda.templateless',
    behaviour: 'template-less direct Lambda resolvers',
    runInProcess: async () => {
      const error = await initError((config) => ({
        ...config,
        resolvers: [{ kind: 'UNIT', typeName: 'Query', fieldName: 'event', dataSourceName: 'EchoSource' }],
      }));
      return error ? `a resolver without templates is refused at init: "${short(error, 120)}"` : 'accepted at init';
    },
  },
  {
    id: 'lambda.event',
    behaviour: 'the event',
    run: async ({ endpoint }) => {
      const { body } = await graphql(
        endpoint,
        'query Q($json: AWSJSON) { event(label: "e", input: { name: "n" }, json: $json) { json } }',
        { json: '{"k":[1]}' },
        apiKey(),
        { cookie: 'session=secret' },
      );
      const event = eventOf((body.data?.['event'] as { json: string }).json);
      return `info keys {${Object.keys(event.info).join(', ')}}; AWSJSON argument arrives as ${typeof event.arguments['json']} ${short(
        event.arguments['json'],
      )}; request.headers ${'cookie' in event.request.headers ? 'include' : 'omit'} cookie (the rest of the event is what the VTL template writes)`;
    },
  },
  {
    id: 'lambda.selectionSetList',
    behaviour: '`selectionSetList` with aliases, named fragments flattened',
    run: async ({ endpoint }) => {
      const { body } = await graphql(endpoint, '{ event(label: "s") { renamed: label ...F child { label } } } fragment F on EventView { json }');
      const event = eventOf((body.data?.['event'] as { json: string }).json);
      return `selectionSetList ${short(event.info['selectionSetList'])}`;
    },
  },
  {
    id: 'lambda.selectionSetGraphQL',
    behaviour: '`selectionSetGraphQL` keeps inline fragments',
    run: async ({ endpoint }) => {
      const { body } = await graphql(endpoint, '{ event(label: "g") { label ... on EventView { json } ...F } } fragment F on EventView { child { label } }');
      const event = eventOf((body.data?.['event'] as { json: string }).json);
      return `selectionSetGraphQL ${short(
        String(event.info['selectionSetGraphQL']).replace(/\s+/g, ' '),
      )}: inline fragment kept, named spread left as \`...F\` without its definition`;
    },
  },
  {
    id: 'lambda.nested',
    behaviour: 'nested field: `parentTypeName`, `source`',
    run: async ({ endpoint }) => {
      const { body } = await graphql(endpoint, '{ event(label: "parent") { label child(label: "kid") { json } } }');
      const child = (body.data?.['event'] as { child: { json: string } }).child;
      const event = eventOf(child.json);
      const source = event.source as { label?: unknown } | null;
      return `parentTypeName ${JSON.stringify(event.info['parentTypeName'])}; source is the parent's result (label ${JSON.stringify(
        source?.label,
      )}, keys {${Object.keys(source ?? {}).join(', ')}})`;
    },
  },
  {
    id: 'lambda.error',
    behaviour: 'thrown error → `errorType`, `message`, `errorInfo`, `data`, `path`, `locations`',
    run: async ({ endpoint }) => {
      const { status, body } = await graphql(endpoint, '{ fail(errorType: "NotFound", message: "no such thing") }');
      const error = body.errors?.[0];
      return `HTTP ${status}; ${errorShape(error)}, errorInfo ${short(error?.['errorInfo'])}, data ${short(error?.['data'])}, path ${short(
        error?.['path'],
      )}, locations ${short(error?.['locations'])}`;
    },
  },
  {
    id: 'lambda.unauthorizedMessage',
    behaviour: '`UnauthorizedException` message replaced',
    run: async ({ endpoint }) => {
      const { body } = await graphql(endpoint, '{ fail(errorType: "UnauthorizedException", message: "internal detail") }');
      const message = body.errors?.[0]?.['message'];
      return `message ${JSON.stringify(message)} (${message === 'internal detail' ? 'not replaced' : 'replaced'}), errorType ${JSON.stringify(
        body.errors?.[0]?.['errorType'],
      )}`;
    },
  },
  {
    id: 'lambda.awsjson',
    behaviour: 'AWSJSON returned by a Lambda',
    run: async ({ endpoint }) => {
      const object = await graphql(endpoint, '{ event(label: "j") { json } }');
      const text = (object.body.data?.['event'] as { json: string }).json;
      const asString = await graphql(endpoint, '{ event(label: "json-as-string") { json } }');
      return `an object: encoded once (${typeof JSON.parse(text) === 'object' ? 'parses to an object' : 'parses to a string'}); a JSON string {"a":1}: ${short(
        (asString.body.data?.['event'] as { json: string }).json,
      )} (encoded again)`;
    },
  },
  {
    id: 'lambda.batch',
    behaviour: 'BatchInvoke',
    run: async ({ endpoint, invocations }) => {
      await invocations();
      const { body } = await graphql(endpoint, '{ parents(count: 25, failAt: 3) { index batched { index batchSize } } }');
      const calls = (await invocations()).filter((i) => i.dataSource === 'BatchSource');
      const parents = (body.data?.['parents'] ?? []) as { index: number; batched: { index: number } | null }[];
      const inOrder = parents.every((p) => p.batched === null || p.batched.index === p.index);
      const error = body.errors?.[0];
      return `25 items: ${calls.length} call(s) of ${calls.map((c) => c.batchSize).join(', ')} (no maxBatchSize setting); ${
        inOrder ? 'same order' : 'out of order'
      }; item 3: ${parents[3]?.batched === null ? 'null' : 'a value'} with ${errorShape(error)} at ${short(error?.['path'])}`;
    },
  },
];
