/** The schema as AppSync builds and checks it: its SDL plus AppSync's scalars and directives. */
import { type ASTNode, type DirectiveNode, type DocumentNode, type GraphQLSchema, Kind, buildASTSchema, getDirectiveValues, getNamedType, isScalarType, parse, specifiedDirectives, visit } from 'graphql';
import { awsScalars } from './scalars.js';
import { SchemaError } from './schema-error.js';

const STANDARD_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

/** A directive use AppSync accepts and gives no meaning, which graphql-js would refuse. */
export interface IgnoredDirective {
  readonly name: string;
  /** Where it is used (`INPUT_OBJECT`), when the directive is declared for other places only. */
  readonly location: string | undefined;
  readonly node: DirectiveNode;
}

/** The directive location of a node holding directives (graphql-js's own mapping is internal). */
function locationOf(holder: ASTNode, holderParent: ASTNode | undefined): string | undefined {
  switch (holder.kind) {
    case Kind.SCHEMA_DEFINITION:
    case Kind.SCHEMA_EXTENSION:
      return 'SCHEMA';
    case Kind.SCALAR_TYPE_DEFINITION:
    case Kind.SCALAR_TYPE_EXTENSION:
      return 'SCALAR';
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.OBJECT_TYPE_EXTENSION:
      return 'OBJECT';
    case Kind.FIELD_DEFINITION:
      return 'FIELD_DEFINITION';
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_EXTENSION:
      return 'INTERFACE';
    case Kind.UNION_TYPE_DEFINITION:
    case Kind.UNION_TYPE_EXTENSION:
      return 'UNION';
    case Kind.ENUM_TYPE_DEFINITION:
    case Kind.ENUM_TYPE_EXTENSION:
      return 'ENUM';
    case Kind.ENUM_VALUE_DEFINITION:
      return 'ENUM_VALUE';
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
    case Kind.INPUT_OBJECT_TYPE_EXTENSION:
      return 'INPUT_OBJECT';
    case Kind.INPUT_VALUE_DEFINITION:
      return holderParent?.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || holderParent?.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION ? 'INPUT_FIELD_DEFINITION' : 'ARGUMENT_DEFINITION';
    default:
      return undefined;
  }
}

/**
 * Directive uses of the SDL that AppSync accepts and gives no meaning, but graphql-js refuses:
 * a directive nothing declares (`@aws_apikey` for `@aws_api_key`, a leftover `@model`;
 * serverless-patterns' appsync-dynamodb-singletable-cdk), and one of AppSync's directives where
 * it is not declared (`input UserInput @aws_cognito_user_pools`, serverless-patterns'
 * appsync-cognito-lambda-cdk: AppSync declares it on OBJECT and FIELD_DEFINITION only).
 */
export function ignoredDirectives(document: DocumentNode): IgnoredDirective[] {
  const declared = new Map<string, ReadonlySet<string>>(specifiedDirectives.map((d) => [d.name, new Set<string>(d.locations)]));
  for (const definition of document.definitions) {
    if (definition.kind === Kind.DIRECTIVE_DEFINITION) declared.set(definition.name.value, new Set(definition.locations.map((l) => l.value)));
  }
  const ignored: IgnoredDirective[] = [];
  visit(document, {
    Directive(node, _key, _parent, _path, ancestors) {
      // ancestors: ..., the holder's parent, (its list), the holder, the holder's directives list.
      const nodes = ancestors.filter((a): a is ASTNode => !Array.isArray(a));
      const holder = nodes[nodes.length - 1];
      const locations = declared.get(node.name.value);
      if (!locations) {
        ignored.push({ name: node.name.value, location: undefined, node });
        return;
      }
      const location = holder ? locationOf(holder, nodes[nodes.length - 2]) : undefined;
      if (location && !locations.has(location)) ignored.push({ name: node.name.value, location, node });
    },
  });
  return ignored;
}

/** The same document without the `ignored` uses: what AppSync's schema means. */
function withoutDirectives(document: DocumentNode, ignored: readonly IgnoredDirective[]): DocumentNode {
  if (ignored.length === 0) return document;
  const nodes = new Set(ignored.map((i) => i.node));
  return visit(document, {
    Directive(node) {
      return nodes.has(node) ? null : undefined;
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
 * The AppSync schema: SDL plus AppSync's scalars, validated as AppSync validates them. Directive
 * uses AppSync gives no meaning are ignored, as AppSync ignores them (ignoredDirectives); the
 * start-up table of what is not run names them (local/cdk/not-run.ts).
 */
export function buildAppSyncSchema(sdl: string): GraphQLSchema {
  const document = parse(appSyncSdl(sdl));
  const schema = buildASTSchema(withoutDirectives(document, ignoredDirectives(document)));
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

