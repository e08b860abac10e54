import {
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLError,
  type GraphQLField,
  type GraphQLFieldResolver,
  GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type ValidationRule,
  execute,
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { AppSyncError, Caller, GraphQLRequest, SubscribeOutcome, SubscriptionEngine, SubscriptionPayload } from '../contracts.js';
import type { ApiSpec } from '../cdk/topology.js';
import { type Invalidation, type ResolverCodeCompiler, newEffects } from './appsync-js.js';
import { type AuthRule, authRuleOf, deniedByAuthorizer, ruleAllows } from './auth-rules.js';
import type { BatchQueue } from './batch.js';
import type { DataSourceDeps, DynamoDbBackend } from './data-sources/index.js';
import { depthLimitReached, resolverLimitReached, toAppSyncError, unauthorizedField, validationError } from './errors.js';
import type { FunctionInvoker } from './invoker.js';
import { asFieldError, lambdaInfo, plainError, resolverContext } from './resolver-context.js';
import { type ResolverRunner, ResolverRunners } from './resolver-runners.js';
import { argumentFilter } from './filters.js';
import { type DocumentLimits, DEFAULT_DOCUMENT_LIMITS, checkDocumentLimits, warmDocumentGuard } from './document-guard.js';
import { noIntrospectionRule } from './limits.js';
import { buildAppSyncSchema, checkAppSyncSchema } from './appsync-schema.js';
import { EMPTY_DOCUMENT, type Prepared, clarify, preparedDocument, refused } from './prepared-document.js';
import { compileCanonicalizer, flattenFields } from './selection.js';
import { PayloadShape, SubscriptionHub, findOperation, selectionUsesVariables } from './subscriptions.js';

export interface EngineOptions {
  readonly api: ApiSpec;
  /** AppSync's own scalar and directive declarations (schema/appsync.graphql). */
  readonly builtins: string;
  /** Invokes a function of the template by logical id; a function error rejects with `{payload: {errorType, errorMessage}}` (invoker.ts). */
  readonly invokeFunction: FunctionInvoker;
  /** Checks APPSYNC_JS code against AppSync's rules and makes it runnable (local/graphql-adapters/resolver-code.ts). */
  readonly compileResolverCode: ResolverCodeCompiler;
  /** For IAM callers: does the caller's policy allow `appsync:GraphQL` on this field? */
  readonly iamAllows?: (caller: Caller, typeName: string, fieldName: string) => boolean;
  /** The AMAZON_DYNAMODB data sources' backend (DynamoDB Local: dynamodb-source.ts). */
  readonly dynamodb?: DynamoDbBackend;
  /** A table's local name from its logical id. @default the logical id */
  readonly tableName?: (logicalId: string) => string;
  /** Subscriptions, kept across engines when the schema is reloaded. @default a new hub */
  readonly hub?: SubscriptionHub;
  /** Limits checked before a document is parsed (document-guard.ts). @default DEFAULT_DOCUMENT_LIMITS */
  readonly documentLimits?: Partial<DocumentLimits>;
  /** What HTTP and EventBridge data sources reach (data-sources/types.ts). */
  readonly dataSources?: Pick<DataSourceDeps, 'resolve' | 'signingCredentials' | 'putEvents' | 'awsServiceEndpoints' | 'log'>;
}

/** What a request brings besides its document: who calls, and the headers resolvers see. */
export interface RequestContext {
  readonly caller: Caller;
  readonly headers: Readonly<Record<string, string>>;
}

interface ExecutionContext extends RequestContext {
  readonly appended: AppSyncError[];
  readonly invalidations: Invalidation[];
  resolverCount: number;
  batches: Map<string, BatchQueue> | undefined;
}


export { SchemaError } from './schema-error.js';

const MAX_CACHED_DOCUMENTS = 2_000;
/**
 * Longer documents are prepared on every request, not cached: V8 hashes a string over 16,383
 * characters by its length alone, so same-length keys would collide and be compared character by
 * character, and 2,000 cached megabyte documents would hold gigabytes.
 */
const MAX_CACHED_QUERY_LENGTH = 16_383;
const MAX_SHAPES_PER_DOCUMENT = 1_000;

/**
 * The GraphQL side of the local AppSync: authorization directives, direct Lambda (with
 * BatchInvoke), APPSYNC_JS and VTL resolvers on their data sources, AppSync's error format and
 * limits, and subscriptions fed by mutations. It reaches the rest of the system only through its
 * options (functions, data sources, the resolver-code compiler, the subscription hub), so it runs
 * the same in the stack and in a test; local/graphql-adapters/engine.ts gives it the stack's.
 */
export class GraphQLEngine implements SubscriptionEngine {
  readonly schema: GraphQLSchema;
  readonly hub: SubscriptionHub;
  /** The same types with no resolvers: subscription payloads are executed against it. */
  readonly #payloadSchema: GraphQLSchema;
  readonly #options: EngineOptions;
  readonly #rules: readonly ValidationRule[];
  readonly #limits: DocumentLimits;
  readonly #documents = new Map<string, Prepared>();
  readonly #subscriptionResolvers = new Map<string, ResolverRunner>();
  readonly #subscribeDirective: Map<string, readonly string[]>;
  readonly #runners: ResolverRunners;

  constructor(options: EngineOptions) {
    this.#options = options;
    this.hub = options.hub ?? new SubscriptionHub();
    const sdl = `${options.builtins}\n${options.api.schema}`;
    this.schema = buildAppSyncSchema(sdl);
    this.#payloadSchema = buildAppSyncSchema(sdl);
    // Payloads execute a subscription field's selection, never its arguments (they were applied at `start`).
    for (const field of Object.values(this.#payloadSchema.getSubscriptionType()?.getFields() ?? {})) {
      Object.assign(field, { args: [] });
    }
    checkAppSyncSchema(this.schema, options.builtins);
    this.#limits = { ...DEFAULT_DOCUMENT_LIMITS, ...options.documentLimits };
    warmDocumentGuard(this.#limits);
    this.#rules = [...specifiedRules, ...(options.api.introspection ? [] : [noIntrospectionRule])];
    this.#subscribeDirective = this.#readSubscribeDirectives();
    this.#runners = new ResolverRunners(options.api, {
      ...options.dataSources,
      invokeFunction: options.invokeFunction,
      ...(options.dynamodb ? { dynamodb: options.dynamodb } : {}),
      ...(options.tableName ? { tableName: options.tableName } : {}),
    }, options.compileResolverCode);
    this.#attachResolvers();
  }

  /** Runs a query or mutation. Always resolves: errors are part of the result, as in AppSync. */
  async execute(request: GraphQLRequest, context: RequestContext): Promise<{ data: unknown; errors?: AppSyncError[] }> {
    const prepared = this.#prepare(request.query);
    if (prepared.errors) return { data: null, errors: [...prepared.errors] };
    const operation = findOperation(prepared.document, request.operationName);
    if (!operation) {
      return { data: null, errors: [validationError('Unknown or ambiguous operation name')] };
    }
    if (operation.operation === 'subscription') {
      return { data: null, errors: [validationError('Subscriptions are served over the real-time WebSocket endpoint, not HTTP')] };
    }
    const contextValue: ExecutionContext = { ...context, appended: [], invalidations: [], resolverCount: 0, batches: undefined };
    const result = (await execute({
      schema: this.schema,
      document: prepared.document,
      variableValues: request.variables ?? undefined,
      operationName: request.operationName ?? undefined,
      contextValue,
    })) as ExecutionResult;
    if (operation.operation === 'mutation' && result.data) {
      // A mutation that returns data with errors is still broadcast.
      this.#publish(prepared, operation, result.data);
    }
    for (const invalidation of contextValue.invalidations) {
      this.hub.invalidate(invalidation.subscriptionField, invalidation.payload);
    }
    const errors = [...(result.errors ?? []).map((error) => toAppSyncError(error)), ...contextValue.appended];
    return errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data ?? null };
  }

  async subscribe(
    request: GraphQLRequest,
    caller: Caller,
    deliver: (payload: SubscriptionPayload) => void,
    invalidated?: () => void,
  ): Promise<SubscribeOutcome> {
    const prepared = this.#prepare(request.query);
    if (prepared.errors) return { ok: false, errors: prepared.errors };
    const operation = findOperation(prepared.document, request.operationName);
    if (operation?.operation !== 'subscription') {
      return { ok: false, errors: [validationError('The document has no subscription operation to start')] };
    }
    const subscriptionType = this.schema.getSubscriptionType();
    const [fieldNode, ...more] = flattenFields(operation.selectionSet, prepared.fragments);
    if (!subscriptionType || !fieldNode || more.length > 0) {
      return { ok: false, errors: [validationError('A subscription selects exactly one root field')] };
    }
    const field = subscriptionType.getFields()[fieldNode.name.value];
    if (!field) return { ok: false, errors: [validationError(`Unknown subscription ${fieldNode.name.value}`)] };
    if (!this.#accessCheck(subscriptionType, field)(caller)) {
      return { ok: false, errors: [plainError(unauthorizedField(subscriptionType.name, field.name))] };
    }

    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], request.variables ?? {});
    if (coerced.errors) return { ok: false, errors: coerced.errors.map((e) => toAppSyncError(e)) };
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(field, fieldNode, coerced.coerced);
    } catch (error) {
      return { ok: false, errors: [toAppSyncError(error as GraphQLError)] };
    }

    let filter = argumentFilter(args);
    let invalidationFilter;
    const runner = this.#subscriptionResolvers.get(field.name);
    if (runner) {
      const effects = newEffects();
      const ctx = resolverContext({
        args,
        caller,
        source: null,
        headers: {},
        info: lambdaInfo(subscriptionType.name, fieldNode, prepared.fragments, coerced.coerced),
      });
      effects.identity = ctx.identity;
      try {
        await runner(ctx, effects);
      } catch (error) {
        return { ok: false, errors: [plainError(asFieldError(error, subscriptionType.name, field.name))] };
      }
      // Enhanced filters take precedence over argument filtering.
      if (effects.subscriptionFilter) filter = effects.subscriptionFilter;
      invalidationFilter = effects.invalidationFilter;
    }

    const unsubscribe = this.hub.add({
      subscriptionField: field.name,
      mutations: this.#subscribeDirective.get(field.name) ?? [],
      filter,
      invalidationFilter,
      shape: this.#shape(prepared, operation, fieldNode, request.variables ?? undefined),
      deliver,
      invalidated,
    });
    return { ok: true, unsubscribe };
  }

  /** Live subscriptions, for diagnostics and tests. */
  get subscriberCount(): number {
    return this.hub.size;
  }

  #publish(prepared: Prepared, operation: OperationDefinitionNode, data: Record<string, unknown>): void {
    for (const fieldNode of flattenFields(operation.selectionSet, prepared.fragments)) {
      const mutation = fieldNode.name.value;
      if (!this.hub.hasSubscribers(mutation)) continue;
      const value = data[fieldNode.alias?.value ?? mutation];
      if (value === null || value === undefined) continue;
      let canonicalize = prepared.canonicalizers.get(fieldNode);
      if (!canonicalize) {
        canonicalize = compileCanonicalizer(fieldNode.selectionSet, prepared.fragments);
        prepared.canonicalizers.set(fieldNode, canonicalize);
      }
      const canonical = canonicalize(value);
      if (canonical !== null && typeof canonical === 'object') this.hub.publish(mutation, canonical);
    }
  }

  #shape(
    prepared: Prepared,
    operation: OperationDefinitionNode,
    fieldNode: FieldNode,
    variables: Readonly<Record<string, unknown>> | undefined,
  ): PayloadShape {
    // Subscribers whose selection reads no variables share one shape, and so one payload.
    const usesVariables = selectionUsesVariables(fieldNode, prepared.fragments);
    const key = `${operation.name?.value ?? ''}\u0000${usesVariables ? JSON.stringify(variables ?? {}) : ''}`;
    let shape = prepared.shapes.get(key);
    if (!shape) {
      // The payload is the subscription field's selection executed on the mutation's result:
      // the field's own arguments (and, unless the selection reads them, the variables) have
      // done their work at `start`, so they are left out.
      const document: DocumentNode = {
        kind: Kind.DOCUMENT,
        definitions: [
          {
            ...operation,
            variableDefinitions: usesVariables ? operation.variableDefinitions : [],
            selectionSet: { kind: Kind.SELECTION_SET, selections: [{ ...fieldNode, arguments: [] }] },
          },
          ...Object.values(prepared.fragments),
        ],
      };
      shape = new PayloadShape(this.#payloadSchema, document, fieldNode.name.value, usesVariables ? variables : undefined);
      // Shapes keyed by variables could grow without bound; past a bound they are not shared.
      if (prepared.shapes.size < MAX_SHAPES_PER_DOCUMENT) prepared.shapes.set(key, shape);
    }
    return shape;
  }

  #prepare(query: string): Prepared {
    // The length is known without reading the string: a long document costs no cache lookup.
    const cacheable = query.length <= MAX_CACHED_QUERY_LENGTH;
    const cached = cacheable ? this.#documents.get(query) : undefined;
    if (cached) return cached;
    let document: DocumentNode;
    let errors: readonly AppSyncError[] | undefined;
    try {
      const refusal = checkDocumentLimits(query, this.#limits);
      // Refused before parsing: cheap to refuse again, so not cached.
      if (refusal) return refused([validationError(refusal.message, refusal.location)]);
      document = parse(query, { maxTokens: this.#limits.maxTokens });
      const invalid = validate(this.schema, document, this.#rules, { maxErrors: 10 });
      errors = invalid.length > 0 ? invalid.map((e) => toAppSyncError(clarify(e))) : undefined;
    } catch (error) {
      document = EMPTY_DOCUMENT;
      errors = [toAppSyncError(clarify(error as GraphQLError))];
    }
    // A document that will never run keeps only its errors.
    const prepared = errors ? refused(errors) : preparedDocument(document);
    if (cacheable) {
      if (this.#documents.size >= MAX_CACHED_DOCUMENTS) this.#documents.clear();
      this.#documents.set(query, prepared);
    }
    return prepared;
  }

  #readSubscribeDirectives(): Map<string, readonly string[]> {
    const map = new Map<string, readonly string[]>();
    const subscribe = this.schema.getDirective('aws_subscribe');
    const type = this.schema.getSubscriptionType();
    if (!subscribe || !type) return map;
    for (const field of Object.values(type.getFields())) {
      if (!field.astNode) continue;
      const values = getDirectiveValues(subscribe, field.astNode) as { mutations?: string[] } | undefined;
      if (values?.mutations) map.set(field.name, values.mutations);
    }
    return map;
  }

  /**
   * Whether `caller` may read `type.field`, compiled once per field: the directives, a Lambda
   * authorizer's deniedFields and, on root fields, the IAM policy (its decisions cached, the
   * policy being fixed for this engine).
   */
  #accessCheck(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): (caller: Caller) => boolean {
    const rule: AuthRule = authRuleOf(this.schema, type, field, this.#options.api.defaultMode);
    const roots = [this.schema.getQueryType(), this.schema.getMutationType(), this.schema.getSubscriptionType()];
    const iamAllows = this.#options.iamAllows;
    // AppSync evaluates the IAM policy on top-level fields.
    const checksIam = iamAllows !== undefined && roots.includes(type);
    const iamDecisions = new Map<string, boolean>();
    return (caller) => {
      if (!ruleAllows(rule, caller)) return false;
      if (caller.mode === 'AWS_LAMBDA') return !deniedByAuthorizer(caller, type.name, field.name);
      if (caller.mode !== 'AWS_IAM' || !checksIam) return true;
      let allowed = iamDecisions.get(caller.identity.username);
      if (allowed === undefined) {
        allowed = iamAllows(caller, type.name, field.name);
        iamDecisions.set(caller.identity.username, allowed);
      }
      return allowed;
    };
  }

  #attachResolvers(): void {
    const specs = new Map(this.#options.api.resolvers.map((r) => [`${r.typeName}.${r.fieldName}`, r]));
    const subscriptionType = this.schema.getSubscriptionType();
    const depthLimit = this.#options.api.queryDepthLimit;
    const countLimit = this.#options.api.resolverCountLimit;
    for (const type of Object.values(this.schema.getTypeMap())) {
      if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const spec = specs.get(`${type.name}.${field.name}`);
        if (type === subscriptionType) {
          if (spec) this.#subscriptionResolvers.set(field.name, this.#runners.subscriptionRunner(spec));
          continue;
        }
        const allowed = this.#accessCheck(type, field);
        const inner = spec ? this.#runners.fieldResolver(spec) : undefined;
        const resolve: GraphQLFieldResolver<unknown, ExecutionContext> = (source, args, context, info) => {
          if (depthLimit > 0 && depthOf(info.path) > depthLimit) throw depthLimitReached(depthLimit);
          if (!allowed(context.caller)) throw unauthorizedField(type.name, field.name);
          if (inner) {
            context.resolverCount += 1;
            if (countLimit > 0 && context.resolverCount > countLimit) throw resolverLimitReached(countLimit);
            return inner(source, args, context, info);
          }
          return source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[info.fieldName] : undefined;
        };
        field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
      }
    }
  }
}

/** How many fields deep `path` is; list indexes do not count. */
function depthOf(path: GraphQLResolveInfo['path']): number {
  let depth = 0;
  for (let p: GraphQLResolveInfo['path'] | undefined = path; p; p = p.prev) if (typeof p.key === 'string') depth += 1;
  return depth;
}

