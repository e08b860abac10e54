/**
 * Target: the ceiling. node:http and graphql-js over the same schema, calling the same handler
 * in this process, with no authentication. `--mode graphql` parses and validates every request
 * (`graphql()`); `--mode execute` parses and validates a document once and then only executes it.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type DocumentNode,
  type GraphQLResolveInfo,
  GraphQLObjectType,
  buildSchema,
  execute,
  graphql,
  parse,
  print,
  validate,
} from 'graphql';
import { serveUntilStopped } from '../lib/child.js';
import { lambdaContext, loadHandler } from '../lib/lambda-context.js';
import { PROJECT_DIR } from '../lib/paths.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'graphql' },
    bundle: { type: 'string' },
    handler: { type: 'string', default: 'handler' },
    function: { type: 'string', default: 'FilesApi' },
    /** Comma-separated fields the handler resolves, e.g. `Query.file,Query.files`. */
    field: { type: 'string', default: 'Query.uploadPolicy' },
    /** The caller's user-pool `sub` in the event's identity (the handler reads the owner from it); none by default. */
    sub: { type: 'string' },
  },
});
const mode = values.mode === 'execute' ? 'execute' : 'graphql';
if (!values.bundle) throw new Error('--bundle is required');
const handler = await loadHandler(values.bundle, values.handler ?? 'handler');
const functionName = values.function ?? 'FilesApi';

const sdl = [
  await readFile(join(PROJECT_DIR, 'schema', 'appsync.graphql'), 'utf8'),
  await readFile(join(PROJECT_DIR, 'schema', 'schema.graphql'), 'utf8'),
].join('\n');
const schema = buildSchema(sdl);

// The direct Lambda resolver's event, as AppSync builds it (see the fact sheet, section 2).
// With --sub, a user-pool identity: this target authenticates nobody, it stands for a caller
// already verified, so the handler and its table reads are all that differ from the stack.
const identity = values.sub ? { sub: values.sub, username: values.sub, claims: { sub: values.sub }, issuer: 'bench', defaultAuthStrategy: 'ALLOW', sourceIp: ['127.0.0.1'], groups: null } : null;
for (const name of (values.field ?? 'Query.uploadPolicy').split(',')) {
  const [typeName, fieldName] = name.trim().split('.') as [string, string];
  const type = schema.getType(typeName);
  if (!(type instanceof GraphQLObjectType)) throw new Error(`No type ${typeName}`);
  const field = type.getFields()[fieldName];
  if (!field) throw new Error(`No field ${typeName}.${fieldName}`);
  field.resolve = (source: unknown, args: unknown, context: { headers: Record<string, string> }, info: GraphQLResolveInfo) => {
    const node = info.fieldNodes[0];
    const event = {
      arguments: args,
      identity,
      source: source ?? null,
      request: { headers: context.headers, domainName: null },
      info: {
        fieldName: info.fieldName,
        parentTypeName: info.parentType.name,
        variables: info.variableValues,
        selectionSetList: node?.selectionSet?.selections.map((s) => (s.kind === 'Field' ? (s.alias ?? s.name).value : '')) ?? [],
        selectionSetGraphQL: node?.selectionSet ? print(node.selectionSet) : '',
      },
      prev: null,
      stash: {},
    };
    return handler(event, lambdaContext(functionName));
  };
}

const documents = new Map<string, DocumentNode | readonly unknown[]>();
function prepared(query: string): DocumentNode | readonly unknown[] {
  let document = documents.get(query);
  if (!document) {
    const parsed = parse(query);
    const errors = validate(schema, parsed);
    document = errors.length > 0 ? errors : parsed;
    documents.set(query, document);
  }
  return document;
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    void (async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
      const contextValue = { headers: request.headers as Record<string, string> };
      let result: unknown;
      if (mode === 'graphql') {
        result = await graphql({ schema, source: body.query, variableValues: body.variables ?? null, contextValue });
      } else {
        const document = prepared(body.query);
        result = Array.isArray(document)
          ? { errors: document }
          : await execute({ schema, document: document as DocumentNode, variableValues: body.variables ?? null, contextValue });
      }
      const text = JSON.stringify(result);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const port = typeof address === 'object' && address ? address.port : 0;
serveUntilStopped({ graphqlUrl: `http://127.0.0.1:${port}/graphql`, mode }, () => new Promise<void>((resolve) => server.close(() => resolve())));
