/** The schema as AppSync builds and checks it: its SDL plus AppSync's scalars and directives. */
import { type DocumentNode, type GraphQLSchema, Kind, buildASTSchema, getDirectiveValues, getNamedType, isScalarType, parse, specifiedDirectives, visit } from 'graphql';
import { awsScalars } from './scalars.js';
import { SchemaError } from './schema-error.js';

const STANDARD_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

/**
 * Directive uses the SDL declares nothing for (`@aws_apikey` for `@aws_api_key`, a leftover
 * `@model`), by name. AppSync accepts a schema using them and gives them no meaning; graphql-js
 * refuses it ("Unknown directive"), so a public app whose schema has one would not start
 * (serverless-patterns' appsync-dynamodb-singletable-cdk writes `@aws_apikey`).
 */
export function undeclaredDirectives(document: DocumentNode): string[] {
  const declared = new Set(specifiedDirectives.map((d) => d.name));
  for (const definition of document.definitions) {
    if (definition.kind === Kind.DIRECTIVE_DEFINITION) declared.add(definition.name.value);
  }
  const unknown = new Set<string>();
  visit(document, {
    Directive(node) {
      if (!declared.has(node.name.value)) unknown.add(node.name.value);
    },
  });
  return [...unknown];
}

/** The same document without the uses of `names`: what AppSync's schema means. */
function withoutDirectives(document: DocumentNode, names: readonly string[]): DocumentNode {
  if (names.length === 0) return document;
  return visit(document, {
    Directive(node) {
      return names.includes(node.name.value) ? null : undefined;
    },
  });
}

/**
 * The SDL as AppSync reads it: a `;` ending a field (`accountId: String;`) is accepted by
 * AppSync's parser (serverless-patterns' appsync-subscription-filter-cdk deploys such a schema
 * and documents its queries answering), but is no GraphQL token, so graphql-js refused the whole
 * schema. Outside strings and comments it is read as a comma, which GraphQL ignores; the
 * length and every position stay the same, so errors still point at the app's own lines.
 */
export function appSyncSdl(sdl: string): string {
  // Block strings, strings (with their escapes) and comments match first and are kept as they are.
  return sdl.replace(/"""(?:\\"""|[\s\S])*?"""|"(?:\\.|[^"\\\n])*"|#[^\n\r]*|;/g, (token) => (token === ';' ? ',' : token));
}

/**
 * The AppSync schema: SDL plus AppSync's scalars, validated as AppSync validates them. Directives
 * nothing declares are ignored, as AppSync ignores them (undeclaredDirectives); the start-up
 * table of what is not run names them (local/cdk/not-run.ts).
 */
export function buildAppSyncSchema(sdl: string): GraphQLSchema {
  const document = parse(appSyncSdl(sdl));
  const schema = buildASTSchema(withoutDirectives(document, undeclaredDirectives(document)));
  for (const scalar of awsScalars()) {
    const target = schema.getType(scalar.name);
    if (target && isScalarType(target)) {
      Object.assign(target, { serialize: scalar.serialize, parseValue: scalar.parseValue, parseLiteral: scalar.parseLiteral });
    }
  }
  return schema;
}

/** What AppSync refuses at schema creation: custom scalars; subscriptions typed unlike their mutations. */
export function checkAppSyncSchema(schema: GraphQLSchema, builtins: string): void {
  const builtin = new Set([...builtins.matchAll(/^scalar\s+(\w+)/gm)].map((m) => m[1]));
  const problems: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isScalarType(type) && !STANDARD_SCALARS.has(type.name) && !builtin.has(type.name)) {
      problems.push(`custom scalar ${type.name} is not allowed (AppSync defines the AWS* scalars)`);
    }
  }
  const mutationType = schema.getMutationType();
  const subscribe = schema.getDirective('aws_subscribe');
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    if (!subscribe || !field.astNode) continue;
    const values = getDirectiveValues(subscribe, field.astNode) as { mutations?: string[] } | undefined;
    for (const mutation of values?.mutations ?? []) {
      const target = mutationType?.getFields()[mutation];
      if (!target) problems.push(`Subscription.${field.name} subscribes to unknown mutation ${mutation}`);
      else if (getNamedType(target.type) !== getNamedType(field.type)) {
        problems.push(`Subscription.${field.name} returns ${String(field.type)} but ${mutation} returns ${String(target.type)}`);
      }
    }
  }
  if (problems.length > 0) throw new SchemaError(`The schema is not valid for AppSync:\n  ${problems.join('\n  ')}`);
}

