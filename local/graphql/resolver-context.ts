/**
 * What a resolver sees (`ctx`: arguments, identity, source, stash, prev, info, request) and how
 * its outcome becomes a GraphQL field error: shared by the APPSYNC_JS, VTL and direct Lambda
 * resolvers (resolver-runners.ts) and the engine.
 */
import { type FieldNode, type GraphQLResolveInfo, GraphQLError as GraphQLErrorClass } from 'graphql';
import type { AppSyncError, Caller } from '../contracts.js';
import { type Effects, ResolverAbort } from './appsync-js.js';
import { FieldError, toAppSyncError, unauthorizedField } from './errors.js';
import { type Fragments, selectionSetGraphQL, selectionSetList } from './selection.js';

/** What the engine collects from resolvers over one request. */
export interface RequestEffects {
  readonly appended: AppSyncError[];
  readonly invalidations: Effects['invalidations'][number][];
}

export interface LambdaInfo {
  readonly fieldName: string;
  readonly parentTypeName: string;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly selectionSetList: readonly string[];
  readonly selectionSetGraphQL: string;
}

const infoCache = new WeakMap<FieldNode, { list: string[]; graphql: string }>();

export function lambdaInfo(parentTypeName: string, node: FieldNode, fragments: Fragments, variables: Readonly<Record<string, unknown>>): LambdaInfo {
  let selection = infoCache.get(node);
  if (!selection) {
    selection = { list: selectionSetList(node, fragments), graphql: selectionSetGraphQL(node, fragments) };
    infoCache.set(node, selection);
  }
  return { fieldName: node.name.value, parentTypeName, variables, selectionSetList: selection.list, selectionSetGraphQL: selection.graphql };
}

export function infoOf(info: GraphQLResolveInfo): LambdaInfo {
  const [node] = info.fieldNodes;
  if (!node) throw new Error('A resolved field has a field node');
  return lambdaInfo(info.parentType.name, node, info.fragments, info.variableValues);
}

export interface MutableResolverContext {
  readonly arguments: unknown;
  readonly args: unknown;
  readonly identity: unknown;
  readonly source: unknown;
  readonly stash: Record<string, unknown>;
  prev: { result: unknown } | null;
  readonly info: LambdaInfo;
  readonly request: { headers: Readonly<Record<string, string>>; domainName: null };
  result: unknown;
  error: { message: string; type: string } | undefined;
}

export function resolverContext(input: {
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
    prev: null,
    info: input.info,
    // The default endpoint has no custom domain: domainName is null.
    request: { headers: input.headers, domainName: null },
    result: undefined,
    error: undefined,
  };
}

/** The event of a direct Lambda resolver (operation Invoke), in AppSync's field order. */
export function directEvent(ctx: MutableResolverContext) {
  return {
    arguments: ctx.arguments,
    identity: ctx.identity,
    source: ctx.source,
    request: ctx.request,
    info: ctx.info,
    prev: null,
    stash: {},
  };
}

export function asFieldError(error: unknown, typeName: string, fieldName: string): FieldError {
  if (error instanceof FieldError) return error;
  if (error instanceof ResolverAbort) {
    if (error.unauthorized) return unauthorizedField(typeName, fieldName);
    return new FieldError(error.errorType ?? 'CustomTemplateException', error.message, error.data, error.errorInfo);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FieldError('Code', message);
}

export function collectEffects(context: RequestEffects, effects: Effects, info: GraphQLResolveInfo): void {
  for (const appended of effects.appendedErrors) {
    const error = new GraphQLErrorClass(appended.message, {
      nodes: info.fieldNodes,
      path: pathOf(info),
      originalError: new FieldError(appended.errorType ?? 'CustomTemplateException', appended.message, appended.data, appended.errorInfo),
    });
    context.appended.push(toAppSyncError(error));
  }
  context.invalidations.push(...effects.invalidations);
}

function pathOf(info: GraphQLResolveInfo): (string | number)[] {
  const path: (string | number)[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  return path;
}

/** A subscription refused at `start`: AppSync's real-time errors carry only type and message. */
export function plainError(error: FieldError): AppSyncError {
  return { errorType: error.errorType, message: error.message };
}
