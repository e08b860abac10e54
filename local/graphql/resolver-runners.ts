/**
 * Resolvers as one async step over a context: APPSYNC_JS and VTL, unit and pipeline (a
 * pipeline's functions may mix the two), direct Lambda (with BatchInvoke), each on its data
 * source (data-sources/). The engine attaches them to fields and subscription starts.
 */
import type { GraphQLFieldResolver } from 'graphql';
import type { ApiSpec, DataSourceSpec, MappingTemplates, ResolverSpec, UnresolvedTexts } from '../cdk/topology.js';
import { type Effects, type HandlerOutcome, type ResolverCodeCompiler, callHandler, loadResolverCode, newEffects } from './appsync-js.js';
import { BatchQueue } from './batch.js';
import { type DataSourceDeps, type DataSourceRunner, dataSourceRunner } from './data-sources/index.js';
import { FieldError } from './errors.js';
import { functionFailure } from './invoker.js';
import {
  type MutableResolverContext,
  type RequestEffects,
  asFieldError,
  collectEffects,
  directEvent,
  infoOf,
  resolverContext,
} from './resolver-context.js';
import type { Caller } from '../contracts.js';
import { SchemaError } from './schema-error.js';
import { compileTemplate } from './vtl/render.js';

export type ResolverRunner = (ctx: MutableResolverContext, effects: Effects) => Promise<unknown>;

/** What field resolvers need of the request being executed. */
export interface FieldContext extends RequestEffects {
  readonly caller: Caller;
  readonly headers: Readonly<Record<string, string>>;
  batches: Map<string, BatchQueue> | undefined;
}

/** One request -> data source -> response step: an APPSYNC_JS module or a VTL template pair. */
interface StepCode {
  readonly name: string;
  request(ctx: MutableResolverContext, effects: Effects): HandlerOutcome;
  response(ctx: MutableResolverContext, effects: Effects): HandlerOutcome;
  /** VTL 2017-02-28 raises a data source error itself; later versions leave it to the template. */
  readonly raisesSourceErrors: (request: unknown) => boolean;
}

const passThroughCode = 'export function request() { return {}; }\nexport function response(ctx) { return ctx.prev.result; }';

function jsStep(code: string, name: string, compile: ResolverCodeCompiler): StepCode {
  const module = loadResolverCode(code, name, compile);
  return {
    name,
    request: (ctx, effects) => callHandler(module.request, ctx, effects),
    response: (ctx, effects) => callHandler(module.response, ctx, effects),
    raisesSourceErrors: () => false,
  };
}

function vtlStep(templates: MappingTemplates, name: string, passThrough: (ctx: MutableResolverContext) => unknown): StepCode {
  const request = templates.request === undefined ? undefined : compileTemplate(templates.request, `${name} (request mapping template)`);
  const response = templates.response === undefined ? undefined : compileTemplate(templates.response, `${name} (response mapping template)`);
  return {
    name,
    request: (ctx, effects) => (request ? request.run(ctx, effects) : { early: false, value: passThrough(ctx) }),
    response: (ctx, effects) => (response ? response.run(ctx, effects) : { early: false, value: ctx.result }),
    raisesSourceErrors: (req) => (req as { version?: unknown } | null)?.version === '2017-02-28',
  };
}

export class ResolverRunners {
  readonly #api: ApiSpec;
  readonly #deps: DataSourceDeps;
  readonly #compile: ResolverCodeCompiler;
  readonly #sources = new Map<string, DataSourceRunner>();

  constructor(api: ApiSpec, deps: DataSourceDeps, compile: ResolverCodeCompiler) {
    this.#api = api;
    this.#deps = deps;
    this.#compile = compile;
  }

  #source(spec: DataSourceSpec | undefined): DataSourceRunner {
    const key = spec?.logicalId ?? '';
    let runner = this.#sources.get(key);
    if (!runner) {
      runner = dataSourceRunner(spec, this.#deps);
      this.#sources.set(key, runner);
    }
    return runner;
  }

  #dataSource(logicalId: string | undefined): DataSourceSpec | undefined {
    return logicalId ? this.#api.dataSources.get(logicalId) : undefined;
  }

  /** Code and templates as strings: those the template builds with intrinsics resolved to local values. */
  #texts(spec: { code: string | undefined; vtl?: MappingTemplates | undefined; unresolved?: UnresolvedTexts }): { code: string | undefined; vtl: MappingTemplates | undefined } {
    const raw = spec.unresolved;
    if (!raw) return { code: spec.code, vtl: spec.vtl };
    const resolve = (value: unknown) => (value === undefined ? undefined : String(this.#deps.resolve ? this.#deps.resolve(value) : value));
    const code = spec.code ?? resolve(raw.code);
    if (code !== undefined) return { code, vtl: undefined };
    return { code, vtl: { request: spec.vtl?.request ?? resolve(raw.request), response: spec.vtl?.response ?? resolve(raw.response) } };
  }

  /** A direct Lambda resolver: no code, no templates (or VTL without a request template), on a Lambda source. */
  #directFunction(spec: ResolverSpec): string | undefined {
    const { code, vtl } = this.#texts(spec);
    if (spec.kind !== 'UNIT' || code !== undefined || vtl?.request !== undefined) return undefined;
    const dataSource = this.#dataSource(spec.dataSourceLogicalId);
    if (dataSource?.type !== 'AWS_LAMBDA') {
      throw new SchemaError(`${spec.typeName}.${spec.fieldName}: a resolver without code or a request mapping template must be a direct Lambda resolver`);
    }
    // A function imported by ARN: invoking the unknown id answers the invoker's error for the field.
    return dataSource.functionLogicalId ?? `${dataSource.name} (a function not defined in the template)`;
  }

  /** A subscription field's resolver: run at `start`, for its filters (and its errors). */
  subscriptionRunner(spec: ResolverSpec): ResolverRunner {
    const functionLogicalId = this.#directFunction(spec);
    if (functionLogicalId !== undefined) {
      return async (ctx) => {
        await this.#invokeDirect(functionLogicalId, directEvent(ctx));
      };
    }
    return this.#runner(spec);
  }

  fieldResolver(spec: ResolverSpec): GraphQLFieldResolver<unknown, FieldContext> {
    const functionLogicalId = this.#directFunction(spec);
    if (functionLogicalId !== undefined) {
      const name = `${spec.typeName}.${spec.fieldName}`;
      return spec.maxBatchSize > 0 ? this.#batchedLambda(name, functionLogicalId, spec.maxBatchSize) : this.#directLambda(functionLogicalId);
    }
    const run = this.#runner(spec);
    return async (source, args, context, info) => {
      const effects = newEffects();
      const ctx = resolverContext({ args, caller: context.caller, source, headers: context.headers, info: infoOf(info) });
      effects.identity = ctx.identity;
      try {
        return await run(ctx, effects);
      } catch (error) {
        throw asFieldError(error, info.parentType.name, info.fieldName);
      } finally {
        collectEffects(context, effects, info);
      }
    };
  }

  #stepOf(code: string | undefined, vtl: MappingTemplates | undefined, name: string, pipelineBoundary: boolean): StepCode {
    if (code !== undefined) return jsStep(code, name, this.#compile);
    if (vtl !== undefined) {
      // A VTL pipeline's before template without output passes `{}` on; a unit VTL resolver
      // without a request template is a direct invocation.
      return vtlStep(vtl, name, (ctx) => (pipelineBoundary ? {} : { operation: 'Invoke', payload: directEvent(ctx) }));
    }
    return jsStep(passThroughCode, name, this.#compile);
  }

  #runner(spec: ResolverSpec): ResolverRunner {
    const name = `${spec.typeName}.${spec.fieldName}`;
    if (spec.kind === 'PIPELINE') {
      const texts = this.#texts(spec);
      const boundary = this.#stepOf(texts.code, texts.vtl, name, true);
      const steps = spec.pipelineFunctionLogicalIds.map((id) => {
        const fn = this.#api.pipelineFunctions.get(id);
        if (!fn) throw new SchemaError(`${name}: unknown pipeline function ${id}`);
        const fnTexts = this.#texts(fn);
        return { code: this.#stepOf(fnTexts.code, fnTexts.vtl, `${name} > ${fn.name}`, false), source: this.#source(this.#dataSource(fn.dataSourceLogicalId)) };
      });
      return async (ctx, effects) => {
        const before = boundary.request(ctx, effects);
        if (before.early) return before.value;
        ctx.prev = { result: before.value ?? null };
        for (const step of steps) {
          const result = await this.#runStep(step.code, step.source, ctx, effects);
          ctx.prev = { result };
        }
        ctx.result = ctx.prev.result;
        return boundary.response(ctx, effects).value;
      };
    }
    const texts = this.#texts(spec);
    const code = this.#stepOf(texts.code, texts.vtl, name, false);
    const source = this.#source(this.#dataSource(spec.dataSourceLogicalId));
    return (ctx, effects) => this.#runStep(code, source, ctx, effects);
  }

  /** request -> data source -> response, for a unit resolver or one pipeline function. */
  async #runStep(code: StepCode, source: DataSourceRunner, ctx: MutableResolverContext, effects: Effects): Promise<unknown> {
    const requested = code.request(ctx, effects);
    // An early return in a request handler skips the data source and the response handler.
    if (requested.early) return requested.value;
    ctx.error = undefined;
    const outcome = await source.run(requested.value);
    ctx.result = outcome.ok ? outcome.result : null;
    ctx.error = outcome.ok ? undefined : outcome.error;
    if (!outcome.ok && code.raisesSourceErrors(requested.value)) throw new FieldError(outcome.error.type, outcome.error.message);
    return code.response(ctx, effects).value;
  }

  async #invokeDirect(functionLogicalId: string, event: unknown): Promise<unknown> {
    try {
      return await this.#deps.invokeFunction(functionLogicalId, event);
    } catch (error) {
      const failure = functionFailure(error);
      if (failure) throw new FieldError(failure.errorType, failure.errorMessage);
      throw error;
    }
  }

  #directLambda(functionLogicalId: string): GraphQLFieldResolver<unknown, FieldContext> {
    return (source, args, context, info) => {
      const ctx = resolverContext({ args, caller: context.caller, source, headers: context.headers, info: infoOf(info) });
      return this.#invokeDirect(functionLogicalId, directEvent(ctx));
    };
  }

  #batchedLambda(name: string, functionLogicalId: string, maxBatchSize: number): GraphQLFieldResolver<unknown, FieldContext> {
    const invoke = (events: readonly unknown[]) => this.#invokeDirect(functionLogicalId, events);
    return (source, args, context, info) => {
      context.batches ??= new Map();
      let queue = context.batches.get(name);
      if (!queue) {
        queue = new BatchQueue(invoke, maxBatchSize);
        context.batches.set(name, queue);
      }
      const ctx = resolverContext({ args, caller: context.caller, source, headers: context.headers, info: infoOf(info) });
      return queue.load(directEvent(ctx));
    };
  }
}
