/** Limits and bad-input rows (test/conformance/limits.test.ts, bad-input.test.ts) and the deliberate differences. */
import { apiKey, graphql, postRaw, token, userPoolToken } from '../client.js';
import { type Probe, errorShape, short } from '../probe.js';

const nested = (depth: number): string => (depth === 0 ? 'id' : `id child { ${nested(depth - 1)} }`);

export const limitProbes: Probe[] = [
  {
    id: 'limits.depth',
    behaviour: 'query depth limit',
    run: async ({ endpoint }) => {
      const { body } = await graphql(endpoint, `{ node { ${nested(9)} } }`);
      let depth = 0;
      let node = body.data?.['node'] as { child?: unknown } | null | undefined;
      while (node) {
        depth++;
        node = node.child as typeof node;
      }
      return `no depth setting; a 10-deep query resolves ${depth} levels${body.errors ? `, errors ${short(body.errors[0])}` : ', no error'}`;
    },
  },
  {
    id: 'limits.resolverCount',
    behaviour: 'resolver count limit',
    run: async ({ endpoint }) => {
      const { body } = await graphql(endpoint, '{ counted(n: 60) { index value } }');
      const values = ((body.data?.['counted'] ?? []) as { value: number | null }[]).filter((c) => c.value !== null).length;
      return `no resolver-count setting; 61 resolvers in one request: ${values} of 60 values resolved, ${body.errors?.length ?? 0} errors`;
    },
  },
  {
    id: 'limits.introspection',
    behaviour: 'introspection disabled',
    run: async ({ endpoint }) => {
      const { body } = await graphql(endpoint, '{ __schema { queryType { name } } }');
      return `no setting to disable it; __schema answers ${short(body.data ?? body.errors?.[0])}`;
    },
  },
  {
    id: 'limits.http200',
    behaviour: 'always HTTP 200 for field and validation errors',
    run: async ({ endpoint }) => {
      const validation = await graphql(endpoint, '{ nope }');
      const field = await graphql(endpoint, '{ fail(errorType: "E", message: "m") }');
      return `validation error: HTTP ${validation.status}, ${errorShape(validation.body.errors?.[0])}; field error: HTTP ${field.status}`;
    },
  },
  {
    id: 'badInput.malformed',
    behaviour: 'malformed JSON, a batch array body, `variables` not an object',
    run: async ({ endpoint }) => {
      const malformed = await postRaw(endpoint, '{"query": "{ apiKeyOnly }"', apiKey());
      const batch = await postRaw(endpoint, JSON.stringify([{ query: '{ apiKeyOnly }' }, { query: '{ apiKeyOnly }' }]), apiKey());
      const variables = await postRaw(
        endpoint,
        JSON.stringify({ query: 'mutation Q($c: String!) { publish(channel: $c) { channel } }', variables: 'oops' }),
        apiKey(),
      );
      const describe = (answer: { status: number; text: string; json: unknown }) =>
        `HTTP ${answer.status} ${answer.json === undefined ? `(not JSON: ${short(answer.text.replace(/\s+/g, ' '), 60)})` : short(answer.json, 90)}`;
      return `malformed JSON: ${describe(malformed)}; batch array: ${describe(batch)}; variables "oops": ${describe(variables)}`;
    },
  },
  {
    id: 'badInput.tokens',
    behaviour: 'a document past the token limit',
    run: async ({ endpoint }) => {
      const tags = Array.from({ length: 16_000 }, () => '"t"').join(' ');
      const { status, body } = await graphql(endpoint, `{ event(label: "long", input: { tags: [${tags}] }) { label } }`);
      return `a 16,000-token document: HTTP ${status}, ${body.data?.['event'] ? 'runs (no token limit)' : short(body.errors?.[0])}`;
    },
  },
  {
    id: 'badInput.cyclic',
    behaviour: 'cyclic fragments',
    run: async ({ endpoint }) => {
      const { status, body } = await graphql(endpoint, 'query { ...A } fragment A on Query { apiKeyOnly ...B } fragment B on Query { ...A }');
      return `HTTP ${status}, ${errorShape(body.errors?.[0])}`;
    },
  },
  {
    id: 'differences.aliases',
    behaviour: 'aliases per document',
    run: async ({ endpoint }) => {
      const aliases = Array.from({ length: 600 }, (_, i) => `a${i}: publish(channel: "alias-flood") { channel }`).join(' ');
      const { status, body } = await graphql(endpoint, `mutation { ${aliases} }`);
      return `600 aliased mutations: HTTP ${status}, ${Object.keys(body.data ?? {}).length} ran`;
    },
  },
  {
    id: 'differences.duplicatedFields',
    behaviour: 'thousands of duplicated fields',
    run: async ({ endpoint }) => {
      const flood = (n: number) => `{ ${Array.from({ length: n }, () => 'defaultOnly').join(' ')} }`;
      const few = await graphql(endpoint, flood(100), {}, token(userPoolToken('alice')));
      if (few.body.data?.['defaultOnly'] !== 'defaultOnly') throw new Error(`100 duplicated fields did not resolve: ${short(few.body)}`);
      const started = performance.now();
      const { status, body } = await graphql(endpoint, flood(2_000), {}, token(userPoolToken('alice')));
      return `2,000 duplicated fields: HTTP ${status}, ${body.data?.['defaultOnly'] ? 'merged and resolved' : `refused, ${short(body.errors)}`} in ${Math.round(
        performance.now() - started,
      )} ms (100 of them are merged and resolved)`;
    },
  },
  {
    id: 'differences.validationMessages',
    behaviour: 'validation messages',
    run: async ({ endpoint }) => {
      const { body } = await graphql(endpoint, '{ nope }');
      const error = body.errors?.[0];
      return `graphql-js wording ${JSON.stringify(error?.['message'])}, errorType ${JSON.stringify(error?.['errorType'])}`;
    },
  },
];
