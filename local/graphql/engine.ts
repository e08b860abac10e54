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
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  buildSchema,
  execute,
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type ValidationRule,
  GraphQLError as GraphQLErrorClass,
  isScalarType,
} from 'graphql';
import type {
  AppSyncError,
  AuthMode,
  Caller,
  GraphQLRequest,
  SubscribeOutcome,
  SubscriptionEngine,
  SubscriptionPayload,
} from '../contracts.js';
import type { ApiSpec, DataSourceSpec, ResolverSpec } from '../cdk/topology.js';
import { FunctionError } from '../lambda/local-function.js';
import {
  type Effects,
  type ResolverModule,
  ResolverAbort,
  callHandler,
  loadResolverCode,
  newEffects,
} from './appsync-js.js';
import { FieldError, toAppSyncError, unauthorizedField } from './errors.js';
import { type SubscriptionFilter, argumentFilter, matchesFilter } from './filters.js';
import { awsScalars } from './scalars.js';
import {
  type Canonicalizer,
  type Fragments,
  type Projector,
  compileCanonicalizer,
  compileProjector,
  flattenFields,
  selectionSetGraphQL,
  selectionSetList,
} from './selection.js';

export interface EngineOptions {
  readonly api: ApiSpec;
  /** AppSync's own scalar and directive declarations (schema/appsync.graphql). */
  readonly builtins: string;
  /** Invokes a function of the template by logical id; rejects with `FunctionError`. */
  readonly invokeFunction: (functionLogicalId: string, event: unknown) => Promise<unknown>;
  /** For IAM callers: does the caller's policy allow `appsync:GraphQL` on this field? */
  readonly iamAllows?: (caller: Caller, typeName: string, fieldName: string) => boolean;
  /** Largest document, in tokens, that the engine parses. */
  readonly maxTokens?: number;
}

/** What a request brings besides its document: who calls, and the headers resolvers see. */
export interface RequestContext {
  readonly caller: Caller;
  readonly headers: Readonly<Record<string, string>>;
}

interface ExecutionContext extends RequestContext {
  readonly appended: { error: AppSyncError }[];
}

interface AuthRule {
  readonly modes: ReadonlySet<AuthMode>;
  /** Cognito groups allowed, when `@aws_cognito_user_pools(cognito_groups: [...])` lists some. */
  readonly groups: readonly string[] | undefined;
}

interface SubscriptionShape {
  readonly fieldName: string;
  readonly responseKey: string;
  readonly project: Projector;
}

interface Subscriber {
  readonly shape: SubscriptionShape;
  readonly filter: SubscriptionFilter | undefined;
  readonly deliver: (payload: SubscriptionPayload) => void;
}

interface Prepared {
  readonly document: DocumentNode;
  readonly errors: readonly AppSyncError[] | undefined;
  readonly fragments: Fragments;
  /** Per mutation root field node: how to read its result by field name. */
  readonly canonicalizers: WeakMap<FieldNode, Canonicalizer>;
  readonly shapes: WeakMap<FieldNode, SubscriptionShape>;
}

const DIRECTIVE_MODES: Readonly<Record<string, AuthMode>> = {
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_oidc: 'OPENID_CONNECT',
  aws_lambda: 'AWS_LAMBDA',
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_auth: 'AMAZON_COGNITO_USER_POOLS',
};

const MAX_CACHED_DOCUMENTS = 2_000;

/**
 * The GraphQL side of the local AppSync: authorization directives, direct Lambda and
 * APPSYNC_JS resolvers, AppSync's error format, and subscriptions fed by mutations.
 */
export class AppSyncEngine implements SubscriptionEngine {
  readonly schema: GraphQLSchema;
  readonly #options: EngineOptions;
  readonly #rules: readonly ValidationRule[];
  readonly #documents = new Map<string, Prepared>();
  readonly #subscribers = new Map<string, Set<Subscriber>>();
  readonly #subscriptionResolvers = new Map<string, ResolverModule>();
  readonly #subscribeDirective: Map<string, readonly string[]>;

  constructor(options: EngineOptions) {
    this.#options = options;
    this.schema = buildSchema(`${options.builtins}\n${options.api.schema}`);
    for (const scalar of awsScalars()) {
      const target = this.schema.getType(scalar.name);
      if (target && isScalarType(target)) {
        Object.assign(target, {
          serialize: scalar.serialize,
          parseValue: scalar.parseValue,
          parseLiteral: scalar.parseLiteral,
        });
      }
    }
    this.#rules = options.api.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
    this.#subscribeDirective = this.#readSubscribeDirectives();
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
      return {
        data: null,
        errors: [validationError('Subscriptions are served over the real-time WebSocket endpoint, not HTTP')],
      };
    }
    const contextValue: ExecutionContext = { ...context, appended: [] };
    const result = (await execute({
      schema: this.schema,
      document: prepared.document,
      variableValues: request.variables ?? undefined,
      operationName: request.operationName ?? undefined,
      contextValue,
    })) as ExecutionResult;
    if (operation.operation === 'mutation' && result.data) {
      this.#publish(prepared, operation, result.data);
    }
    const errors = [
      ...(result.errors ?? []).map((error) => toAppSyncError(error)),
      ...contextValue.appended.map((a) => a.error),
    ];
    return errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data ?? null };
  }

  async subscribe(
    request: GraphQLRequest,
    caller: Caller,
    deliver: (payload: SubscriptionPayload) => void,
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
    if (!this.#allowed(subscriptionType, field, caller)) {
      return { ok: false, errors: [toAppSyncErrorPlain(unauthorizedField(subscriptionType.name, field.name))] };
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
    const module = this.#subscriptionResolvers.get(field.name);
    if (module) {
      const effects = newEffects();
      const ctx = resolverContext({
        args,
        caller,
        source: null,
        headers: {},
        info: lambdaInfo(subscriptionType.name, fieldNode, prepared.fragments, coerced.coerced),
      });
      try {
        const requested = callHandler(module.request, ctx, effects) as { payload?: unknown } | null;
        ctx.result = requested?.payload ?? null;
        callHandler(module.response, ctx, effects);
      } catch (error) {
        return { ok: false, errors: [toAppSyncErrorPlain(asFieldError(error))] };
      }
      // Enhanced filters take precedence over argument filtering.
      if (effects.subscriptionFilter) filter = effects.subscriptionFilter;
    }

    const shape = this.#shape(prepared, fieldNode, field);
    const subscriber: Subscriber = { shape, filter, deliver };
    const mutations = this.#subscribeDirective.get(field.name) ?? [];
    for (const mutation of mutations) {
      const set = this.#subscribers.get(mutation) ?? new Set();
      set.add(subscriber);
      this.#subscribers.set(mutation, set);
    }
    return {
      ok: true,
      unsubscribe: () => {
        for (const mutation of mutations) this.#subscribers.get(mutation)?.delete(subscriber);
      },
    };
  }

  /** Live subscriptions, for diagnostics and tests. */
  get subscriberCount(): number {
    const all = new Set<Subscriber>();
    for (const set of this.#subscribers.values()) for (const s of set) all.add(s);
    return all.size;
  }

  #publish(prepared: Prepared, operation: OperationDefinitionNode, data: Record<string, unknown>): void {
    for (const fieldNode of flattenFields(operation.selectionSet, prepared.fragments)) {
      const subscribers = this.#subscribers.get(fieldNode.name.value);
      if (!subscribers || subscribers.size === 0) continue;
      const value = data[fieldNode.alias?.value ?? fieldNode.name.value];
      if (value === null || value === undefined) continue;
      let canonicalize = prepared.canonicalizers.get(fieldNode);
      if (!canonicalize) {
        canonicalize = compileCanonicalizer(fieldNode.selectionSet, prepared.fragments);
        prepared.canonicalizers.set(fieldNode, canonicalize);
      }
      const canonical = canonicalize(value);
      // Subscribers with the same selection share one payload object, so the real-time server
      // serializes it once for all of them.
      const payloads = new Map<SubscriptionShape, SubscriptionPayload>();
      for (const subscriber of subscribers) {
        if (subscriber.filter && !matchesFilter(subscriber.filter, canonical)) continue;
        let payload = payloads.get(subscriber.shape);
        if (!payload) {
          payload = { data: { [subscriber.shape.responseKey]: subscriber.shape.project(canonical) } };
          payloads.set(subscriber.shape, payload);
        }
        subscriber.deliver(payload);
      }
    }
  }

  #shape(prepared: Prepared, fieldNode: FieldNode, field: GraphQLField<unknown, unknown>): SubscriptionShape {
    let shape = prepared.shapes.get(fieldNode);
    if (!shape) {
      const typeName = String(field.type).replace(/[![\]]/g, '');
      shape = {
        fieldName: field.name,
        responseKey: fieldNode.alias?.value ?? field.name,
        project: compileProjector(fieldNode.selectionSet, prepared.fragments, typeName),
      };
      prepared.shapes.set(fieldNode, shape);
    }
    return shape;
  }

  #prepare(query: string): Prepared {
    const cached = this.#documents.get(query);
    if (cached) return cached;
    let document: DocumentNode;
    let errors: readonly AppSyncError[] | undefined;
    try {
      document = parse(query, { maxTokens: this.#options.maxTokens ?? 15_000 });
      const invalid = validate(this.schema, document, this.#rules, { maxErrors: 10 });
      errors = invalid.length > 0 ? invalid.map((e) => toAppSyncError(e)) : undefined;
    } catch (error) {
      document = { kind: Kind.DOCUMENT, definitions: [] };
      errors = [toAppSyncError(error as GraphQLError)];
    }
    const fragments: Record<string, never> & Fragments = {};
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        (fragments as Record<string, unknown>)[definition.name.value] = definition;
      }
    }
    const prepared: Prepared = { document, errors, fragments, canonicalizers: new WeakMap(), shapes: new WeakMap() };
    if (this.#documents.size >= MAX_CACHED_DOCUMENTS) this.#documents.clear();
    this.#documents.set(query, prepared);
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

  #authRule(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): AuthRule {
    const read = (node: { directives?: readonly { name: { value: string }; arguments?: readonly unknown[] }[] } | null | undefined) => {
      const modes = new Set<AuthMode>();
      let groups: string[] | undefined;
      for (const directive of node?.directives ?? []) {
        const mode = DIRECTIVE_MODES[directive.name.value];
        if (!mode) continue;
        modes.add(mode);
        const definition = this.schema.getDirective(directive.name.value);
        if (definition && mode === 'AMAZON_COGNITO_USER_POOLS') {
          const values = getDirectiveValues(definition, node as never) as { cognito_groups?: string[] } | undefined;
          if (values?.cognito_groups) groups = [...(groups ?? []), ...values.cognito_groups];
        }
      }
      return modes.size > 0 ? { modes, groups } : undefined;
    };
    return read(field.astNode) ?? read(type.astNode) ?? { modes: new Set([this.#options.api.defaultMode]), groups: undefined };
  }

  #allowed(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, caller: Caller): boolean {
    const rule = this.#authRule(type, field);
    return allows(rule, caller) && this.#iamAllows(type, field, caller);
  }

  #iamAllows(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, caller: Caller): boolean {
    if (caller.mode !== 'AWS_IAM' || !this.#options.iamAllows) return true;
    const root = [this.schema.getQueryType(), this.schema.getMutationType(), this.schema.getSubscriptionType()];
    // AppSync evaluates the IAM policy on top-level fields.
    return !root.includes(type) || this.#options.iamAllows(caller, type.name, field.name);
  }

  #attachResolvers(): void {
    const specs = new Map(this.#options.api.resolvers.map((r) => [`${r.typeName}.${r.fieldName}`, r]));
    const subscriptionType = this.schema.getSubscriptionType();
    for (const type of Object.values(this.schema.getTypeMap())) {
      if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const spec = specs.get(`${type.name}.${field.name}`);
        if (type === subscriptionType) {
          if (spec) this.#subscriptionResolvers.set(field.name, this.#subscriptionModule(spec));
          continue;
        }
        const rule = this.#authRule(type, field);
        const checkIam = (caller: Caller) => this.#iamAllows(type, field, caller);
        const inner = spec ? this.#resolverFor(spec) : undefined;
        const resolve: GraphQLFieldResolver<unknown, ExecutionContext> = (source, args, context, info) => {
          if (!allows(rule, context.caller) || !checkIam(context.caller)) {
            throw unauthorizedField(type.name, field.name);
          }
          if (inner) return inner(source, args, context, info);
          return source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[info.fieldName] : undefined;
        };
        field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
      }
    }
  }

  #subscriptionModule(spec: ResolverSpec): ResolverModule {
    if (spec.code === undefined) throw new Error(`Subscription.${spec.fieldName}: only APPSYNC_JS subscription resolvers are supported`);
    return loadResolverCode(spec.code, `Subscription.${spec.fieldName}`);
  }

  #dataSource(logicalId: string | undefined): DataSourceSpec | undefined {
    return logicalId ? this.#options.api.dataSources.get(logicalId) : undefined;
  }

  #resolverFor(spec: ResolverSpec): GraphQLFieldResolver<unknown, ExecutionContext> {
    const name = `${spec.typeName}.${spec.fieldName}`;
    if (spec.kind === 'PIPELINE') {
      const module = loadResolverCode(spec.code ?? passThroughCode, name);
      const steps = spec.pipelineFunctionLogicalIds.map((id) => {
        const fn = this.#options.api.pipelineFunctions.get(id);
        if (!fn) throw new Error(`${name}: unknown pipeline function ${id}`);
        return { module: loadResolverCode(fn.code, fn.name), dataSource: this.#dataSource(fn.dataSourceLogicalId) };
      });
      return async (source, args, context, info) => {
        const effects = newEffects();
        const ctx = resolverContext({ args, caller: context.caller, source, headers: context.headers, info: infoOf(info) });
        try {
          callHandler(module.request, ctx, effects);
          for (const step of steps) {
            ctx.result = await this.#runStep(step.module, step.dataSource, ctx, effects);
            ctx.prev = { result: ctx.result };
          }
          ctx.result = ctx.prev.result;
          return callHandler(module.response, ctx, effects);
        } catch (error) {
          throw asFieldError(error);
        } finally {
          appendErrors(context, effects, info);
        }
      };
    }
    const dataSource = this.#dataSource(spec.dataSourceLogicalId);
    if (spec.code === undefined) {
      if (dataSource?.type !== 'AWS_LAMBDA' || !dataSource.functionLogicalId) {
        throw new Error(`${name}: a resolver without code must be a direct Lambda resolver`);
      }
      return this.#directLambda(dataSource.functionLogicalId);
    }
    const module = loadResolverCode(spec.code, name);
    return async (source, args, context, info) => {
      const effects = newEffects();
      const ctx = resolverContext({ args, caller: context.caller, source, headers: context.headers, info: infoOf(info) });
      try {
        return await this.#runStep(module, dataSource, ctx, effects);
      } catch (error) {
        throw asFieldError(error);
      } finally {
        appendErrors(context, effects, info);
      }
    };
  }

  /** request -> data source -> response, for a unit resolver or one pipeline function. */
  async #runStep(module: ResolverModule, dataSource: DataSourceSpec | undefined, ctx: MutableResolverContext, effects: Effects) {
    const requested = callHandler(module.request, ctx, effects) as { payload?: unknown; operation?: string } | null;
    ctx.error = undefined;
    switch (dataSource?.type) {
      case 'AWS_LAMBDA': {
        if (!dataSource.functionLogicalId) throw new Error(`${dataSource.name}: no function`);
        try {
          ctx.result = await this.#options.invokeFunction(dataSource.functionLogicalId, requested?.payload ?? null);
        } catch (error) {
          if (!(error instanceof FunctionError)) throw error;
          ctx.result = null;
          ctx.error = { message: error.payload.errorMessage, type: error.payload.errorType };
        }
        break;
      }
      case 'NONE':
      case undefined:
        ctx.result = requested?.payload ?? null;
        break;
      default:
        throw new FieldError('UnsupportedOperation', `Data source type ${dataSource?.type ?? 'unknown'} is not supported locally yet`);
    }
    return callHandler(module.response, ctx, effects);
  }

  #directLambda(functionLogicalId: string): GraphQLFieldResolver<unknown, ExecutionContext> {
    return async (source, args, context, info) => {
      const event = {
        arguments: args,
        identity: context.caller.identity,
        source: source ?? null,
        request: { headers: context.headers, domainName: null },
        info: infoOf(info),
        prev: null,
        stash: {},
      };
      try {
        return await this.#options.invokeFunction(functionLogicalId, event);
      } catch (error) {
        if (error instanceof FunctionError) {
          throw new FieldError(error.payload.errorType, error.payload.errorMessage);
        }
        throw error;
      }
    };
  }
}

const passThroughCode = 'export function request() { return {}; }\nexport function response(ctx) { return ctx.prev.result; }';

function allows(rule: AuthRule, caller: Caller): boolean {
  if (!rule.modes.has(caller.mode)) return false;
  if (caller.mode === 'AMAZON_COGNITO_USER_POOLS' && rule.groups) {
    const groups = caller.identity.groups ?? [];
    return rule.groups.some((group) => groups.includes(group));
  }
  return true;
}

interface LambdaInfo {
  readonly fieldName: string;
  readonly parentTypeName: string;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly selectionSetList: readonly string[];
  readonly selectionSetGraphQL: string;
}

const infoCache = new WeakMap<FieldNode, { list: string[]; graphql: string }>();

function lambdaInfo(parentTypeName: string, node: FieldNode, fragments: Fragments, variables: Readonly<Record<string, unknown>>): LambdaInfo {
  let selection = infoCache.get(node);
  if (!selection) {
    selection = { list: selectionSetList(node, fragments), graphql: selectionSetGraphQL(node) };
    infoCache.set(node, selection);
  }
  return {
    fieldName: node.name.value,
    parentTypeName,
    variables,
    selectionSetList: selection.list,
    selectionSetGraphQL: selection.graphql,
  };
}

function infoOf(info: GraphQLResolveInfo): LambdaInfo {
  const [node] = info.fieldNodes;
  if (!node) throw new Error('A resolved field has a field node');
  return lambdaInfo(info.parentType.name, node, info.fragments, info.variableValues);
}

interface MutableResolverContext {
  readonly arguments: unknown;
  readonly args: unknown;
  readonly identity: unknown;
  readonly source: unknown;
  readonly stash: Record<string, unknown>;
  prev: { result: unknown };
  readonly info: LambdaInfo;
  readonly request: { headers: Readonly<Record<string, string>>; domainName: null };
  result: unknown;
  error: { message: string; type: string } | undefined;
}

function resolverContext(input: {
  args: unknown;
  caller: Caller;
  source: unknown;
  headers: Readonly<Record<string, string>>;
  info: LambdaInfo;
}): MutableResolverContext {
  return {
    arguments: input.args,
    args: input.args,
    identity: input.caller.identity,
    source: input.source ?? null,
    stash: {},
    prev: { result: null },
    info: input.info,
    request: { headers: input.headers, domainName: null },
    result: undefined,
    error: undefined,
  };
}

function asFieldError(error: unknown): FieldError {
  if (error instanceof FieldError) return error;
  if (error instanceof ResolverAbort) return new FieldError(error.errorType ?? 'CustomTemplateException', error.message, error.data, error.errorInfo);
  const message = error instanceof Error ? error.message : String(error);
  return new FieldError('Code', message);
}

function appendErrors(context: ExecutionContext, effects: Effects, info: GraphQLResolveInfo): void {
  for (const appended of effects.appendedErrors) {
    const error = new GraphQLErrorClass(appended.message, {
      nodes: info.fieldNodes,
      path: pathOf(info),
      originalError: new FieldError(appended.errorType ?? 'CustomTemplateException', appended.message, appended.data, appended.errorInfo),
    });
    context.appended.push({ error: toAppSyncError(error) });
  }
}

function pathOf(info: GraphQLResolveInfo): (string | number)[] {
  const path: (string | number)[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  return path;
}

function findOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

function validationError(message: string): AppSyncError {
  return { path: null, locations: [], message, errorType: 'ValidationError' };
}

/** A subscription refused at `start`: AppSync's real-time errors carry only type and message. */
function toAppSyncErrorPlain(error: FieldError): AppSyncError {
  return { errorType: error.errorType, message: error.message };
}
