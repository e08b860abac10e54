/** The schema as AppSync builds and checks it: its SDL plus AppSync's scalars and directives. */
import { type GraphQLSchema, buildSchema, getDirectiveValues, getNamedType, isScalarType } from 'graphql';
import { awsScalars } from './scalars.js';
import { SchemaError } from './schema-error.js';

const STANDARD_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

/** The AppSync schema: SDL plus AppSync's scalars, validated as AppSync validates them. */
export function buildAppSyncSchema(sdl: string): GraphQLSchema {
  const schema = buildSchema(sdl);
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

