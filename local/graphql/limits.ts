import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

// The local guards against hostile documents (aliases, repeated fields, nesting, tokens) run
// before parsing, in document-guard.ts; what is left here are AppSync's own validation settings.

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
