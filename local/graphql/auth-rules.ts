import { type GraphQLField, type GraphQLObjectType, type GraphQLSchema, getDirectiveValues } from 'graphql';
import type { AuthMode, Caller } from '../contracts.js';

/**
 * AppSync's authorization directives (appsync-behaviour.md §1): a field without a directive
 * inherits its type's, then the API's default mode. Once a field or type lists modes, only those
 * modes may read it; `cognito_groups` narrows user-pool callers to members of a group.
 */

export interface AuthRule {
  readonly modes: ReadonlySet<AuthMode>;
  /** Cognito groups allowed, when `cognito_groups` lists some. */
  readonly groups: readonly string[] | undefined;
}

const DIRECTIVE_MODES: Readonly<Record<string, AuthMode>> = {
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_oidc: 'OPENID_CONNECT',
  aws_lambda: 'AWS_LAMBDA',
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_auth: 'AMAZON_COGNITO_USER_POOLS',
};

type DirectiveHolder = Parameters<typeof getDirectiveValues>[1];

function readRule(schema: GraphQLSchema, node: DirectiveHolder | null | undefined): AuthRule | undefined {
  if (!node) return undefined;
  const modes = new Set<AuthMode>();
  let groups: string[] | undefined;
  for (const directive of node.directives ?? []) {
    const mode = DIRECTIVE_MODES[directive.name.value];
    if (!mode) continue;
    modes.add(mode);
    const definition = schema.getDirective(directive.name.value);
    if (definition && mode === 'AMAZON_COGNITO_USER_POOLS') {
      const values = getDirectiveValues(definition, node) as { cognito_groups?: string[] | null } | undefined;
      if (values?.cognito_groups) groups = [...(groups ?? []), ...values.cognito_groups];
    }
  }
  return modes.size > 0 ? { modes, groups } : undefined;
}

export function authRuleOf(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  field: GraphQLField<unknown, unknown>,
  defaultMode: AuthMode,
): AuthRule {
  return readRule(schema, field.astNode) ?? readRule(schema, type.astNode) ?? { modes: new Set([defaultMode]), groups: undefined };
}

export function ruleAllows(rule: AuthRule, caller: Caller): boolean {
  if (!rule.modes.has(caller.mode)) return false;
  if (caller.mode === 'AMAZON_COGNITO_USER_POOLS' && rule.groups) {
    const groups = caller.identity.groups ?? [];
    return rule.groups.some((group) => groups.includes(group));
  }
  return true;
}

/** A Lambda authorizer's `deniedFields` (`Type.field`) null the field for that caller. */
export function deniedByAuthorizer(caller: Caller, typeName: string, fieldName: string): boolean {
  return caller.mode === 'AWS_LAMBDA' && caller.deniedFields.length > 0 && caller.deniedFields.includes(`${typeName}.${fieldName}`);
}
