import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * Guards the local endpoint adds to AppSync's own limits (docs/conformance.md lists them as
 * deliberate differences): a document with more aliases than `maxAliases` is refused before
 * anything runs, so an alias-multiplied mutation changes nothing.
 */
export function documentLimitsRule(options: { readonly maxAliases: number }): ValidationRule {
  return (context: ValidationContext) => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node) {
        if (!node.alias || reported) return;
        aliases += 1;
        if (aliases > options.maxAliases) {
          reported = true;
          context.reportError(
            new GraphQLError(`The document uses more than ${options.maxAliases} aliases; it was not executed.`, { nodes: node }),
          );
        }
      },
    };
  };
}

/**
 * Introspection disabled (`IntrospectionConfig: DISABLED`): `__schema` and `__type` are refused
 * once per document; `__typename` stays available, as at AppSync.
 */
export const noIntrospectionRule: ValidationRule = (context: ValidationContext) => {
  let reported = false;
  return {
    Field(node) {
      if (reported || (node.name.value !== '__schema' && node.name.value !== '__type')) return;
      reported = true;
      context.reportError(
        new GraphQLError(`Introspection is disabled for this API; the query asked for "${node.name.value}".`, { nodes: node }),
      );
    },
  };
};
