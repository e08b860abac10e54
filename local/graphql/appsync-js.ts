import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createContext, Script } from 'node:vm';
import { transformSync } from 'esbuild';
import type { Linter } from 'eslint';
import { type SubscriptionFilter, toSubscriptionFilter, validateFilter } from './filters.js';
import { toAttributeValue, toMapValues } from './dynamodb-values.js';

/**
 * A local APPSYNC_JS runtime. `@aws-appsync/utils` on npm is type stubs only, so `util`,
 * `extensions` and `runtime` are implemented here, as far as resolvers and AppSync's documented
 * subscription features need them. Code is checked at load with the same rules AppSync applies
 * (the `@aws-appsync/eslint-plugin` base set, plus `throw`, which its rules do not cover): the
 * same rules as `npm run lint`.
 */

/** `util.error` and friends: aborts the resolver; AppSync turns it into a GraphQL error. */
export class ResolverAbort extends Error {
  override readonly name = 'ResolverAbort';
  constructor(
    message: string,
    readonly errorType: string | undefined,
    readonly data: unknown,
    readonly errorInfo: unknown,
    /** `util.unauthorized()`: the engine words it as AppSync does for the field. */
    readonly unauthorized = false,
  ) {
    super(message);
  }
}

/** Resolver code AppSync would refuse: it does not load. */
export class ResolverCodeError extends Error {
  override readonly name = 'ResolverCodeError';
}

export interface AppendedError {
  readonly message: string;
  readonly errorType: string | undefined;
  readonly data: unknown;
  readonly errorInfo: unknown;
}

export interface Invalidation {
  readonly subscriptionField: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** What a handler call asked of AppSync besides its return value. */
export interface Effects {
  readonly appendedErrors: AppendedError[];
  subscriptionFilter: SubscriptionFilter | undefined;
  invalidationFilter: SubscriptionFilter | undefined;
  readonly invalidations: Invalidation[];
}

export const newEffects = (): Effects => ({
  appendedErrors: [],
  subscriptionFilter: undefined,
  invalidationFilter: undefined,
  invalidations: [],
});

// APPSYNC_JS is synchronous, so the effects of the call in progress can live in one slot.
let current: Effects | undefined;
const effects = (): Effects => {
  if (!current) throw new ResolverCodeError('util/extensions used outside a resolver call');
  return current;
};

const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function ulid(): string {
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i += 1) {
    head = ULID_ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  return head + [...randomBytes(16)].map((b) => ULID_ALPHABET[b % 32]).join('');
}

const util = Object.freeze({
  autoId: () => randomUUID(),
  autoUlid: ulid,
  error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never {
    throw new ResolverAbort(message, errorType, data ?? null, errorInfo ?? null);
  },
  appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void {
    effects().appendedErrors.push({ message, errorType, data: data ?? null, errorInfo: errorInfo ?? null });
  },
  unauthorized(): never {
    throw new ResolverAbort('Unauthorized', 'Unauthorized', null, null, true);
  },
  isNull: (value: unknown) => value === null || value === undefined,
  isNullOrEmpty: (value: unknown) => value === null || value === undefined || value === '',
  isNullOrBlank: (value: unknown) => value === null || value === undefined || (typeof value === 'string' && value.trim() === ''),
  defaultIfNull: (value: unknown, fallback: unknown) => (value === null || value === undefined ? fallback : value),
  toJson: (value: unknown) => JSON.stringify(value),
  escapeJavaScript: (value: string) => JSON.stringify(value).slice(1, -1),
  urlEncode: (value: string) => encodeURIComponent(value),
  urlDecode: (value: string) => decodeURIComponent(value),
  base64Encode: (value: string) => Buffer.from(value, 'utf8').toString('base64'),
  base64Decode: (value: string) => Buffer.from(value, 'base64').toString('utf8'),
  time: Object.freeze({
    nowISO8601: () => new Date().toISOString(),
    nowEpochSeconds: () => Math.floor(Date.now() / 1000),
    nowEpochMilliSeconds: () => Date.now(),
    epochMilliSecondsToISO8601: (ms: number) => new Date(ms).toISOString(),
    epochMilliSecondsToSeconds: (ms: number) => Math.floor(ms / 1000),
    parseISO8601ToEpochMilliSeconds: (text: string) => Date.parse(text),
  }),
  dynamodb: Object.freeze({
    toDynamoDB: (value: unknown) => toAttributeValue(value),
    toMapValues: (value: Record<string, unknown>) => toMapValues(value),
    toString: (value: string) => ({ S: value }),
    toNumber: (value: number) => ({ N: String(value) }),
  }),
  transform: Object.freeze({
    toSubscriptionFilter: (input: Record<string, unknown>, ignoredFields?: string[]) => toSubscriptionFilter(input, ignoredFields),
  }),
});

const extensions = Object.freeze({
  setSubscriptionFilter(filter: unknown): void {
    effects().subscriptionFilter = validateFilter(filter);
  },
  setSubscriptionInvalidationFilter(filter: unknown): void {
    effects().invalidationFilter = validateFilter(filter);
  },
  invalidateSubscriptions(invalidation: Invalidation): void {
    const list = effects().invalidations;
    // AppSync allows at most five invalidations per request.
    if (list.length >= 5) throw new ResolverAbort('Too many invalidateSubscriptions calls', 'LimitExceededError', null, null);
    list.push(invalidation);
  },
});

/** `runtime.earlyReturn`: skips the rest of the handler (and, from a request handler, the data source). */
export class EarlyReturn {
  constructor(readonly value: unknown) {}
}

const runtime = Object.freeze({
  earlyReturn(value?: unknown): never {
    throw new EarlyReturn(value ?? null);
  },
});

export type Handler = (ctx: unknown) => unknown;

export interface ResolverModule {
  readonly name: string;
  readonly request: Handler;
  readonly response: Handler;
}

// ------------------------------------------------------------------ restrictions

const require = createRequire(import.meta.url);
interface AppSyncPlugin {
  readonly configs: { readonly base: { readonly plugins: Record<string, unknown>; readonly rules: Record<string, unknown> } };
}
let linterSetup: { linter: Linter; config: Linter.Config[] } | undefined;

function lintSetup(): { linter: Linter; config: Linter.Config[] } {
  if (!linterSetup) {
    // Loaded on first use only: eslint and the plugin (with the TypeScript parser) cost about
    // half a second, and most starts find every resolver already checked (see below).
    const { Linter: LinterClass } = require('eslint') as typeof import('eslint');
    const plugin = require('@aws-appsync/eslint-plugin') as AppSyncPlugin;
    linterSetup = {
      linter: new LinterClass({ configType: 'flat' }),
      config: [
        {
          files: ['**/*.js'],
          plugins: plugin.configs.base.plugins as Linter.Config['plugins'],
          languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
          rules: {
            ...(plugin.configs.base.rules as Linter.RulesRecord),
            // `throw` is not in the runtime either, and the plugin has no rule for it (as in eslint.config.js).
            'no-restricted-syntax': ['error', { selector: 'ThrowStatement', message: 'throw is not supported by APPSYNC_JS; use util.error().' }],
          },
        },
      ],
    };
  }
  return linterSetup;
}

/**
 * Code that passed the check, by hash, kept across runs: the check depends only on the code
 * and the plugin's version, and resolver code rarely changes between two starts.
 */
const checkedFile = join(dirname(require.resolve('esbuild/package.json')), '..', '.cache', 'appsync-local', 'appsync-js-checked.json');
let checked: Set<string> | undefined;

function checkedHashes(): Set<string> {
  if (!checked) {
    try {
      checked = new Set(JSON.parse(readFileSync(checkedFile, 'utf8')) as string[]);
    } catch {
      checked = new Set();
    }
  }
  return checked;
}

function codeHash(code: string): string {
  const pluginVersion = (require('@aws-appsync/eslint-plugin/package.json') as { version: string }).version;
  return createHash('sha256').update(pluginVersion).update('\0').update(code).digest('hex');
}

/** What AppSync's runtime would refuse in `code`, one line each (`line:column message (rule)`). */
export function appSyncJsViolations(code: string): string[] {
  const hash = codeHash(code);
  const known = checkedHashes();
  if (known.has(hash)) return [];
  const { linter, config } = lintSetup();
  const violations = linter
    .verify(code, config, { filename: 'resolver.js' })
    .map((m) => `${m.line}:${m.column} ${m.message}${m.ruleId ? ` (${m.ruleId})` : ''}`);
  if (violations.length === 0) {
    known.add(hash);
    try {
      mkdirSync(dirname(checkedFile), { recursive: true });
      writeFileSync(checkedFile, JSON.stringify([...known]));
    } catch {
      // A cache that cannot be written only costs the check next time.
    }
  }
  return violations;
}

// ------------------------------------------------------------------ loading

const libraries = { util, extensions, runtime };

/**
 * Loads resolver code: an ES module exporting `request` and `response`, checked against
 * AppSync's restrictions first. Throws `ResolverCodeError` naming the resolver and each problem.
 */
export function loadResolverCode(code: string, name: string): ResolverModule {
  const violations = appSyncJsViolations(code);
  if (violations.length > 0) {
    throw new ResolverCodeError(`${name}: the APPSYNC_JS runtime does not support:\n  ${violations.join('\n  ')}`);
  }
  let compiled: string;
  try {
    compiled = transformSync(code, { format: 'cjs', loader: 'js', target: 'es2021' }).code;
  } catch (error) {
    throw new ResolverCodeError(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const exports: Record<string, unknown> = {};
  const module = { exports };
  const requireLibrary = (specifier: string) => {
    if (specifier === '@aws-appsync/utils') return libraries;
    throw new ResolverCodeError(`${name}: APPSYNC_JS cannot import ${specifier}`);
  };
  const context = createContext({ module, exports, require: requireLibrary, console });
  new Script(compiled, { filename: name }).runInContext(context);
  const loaded = module.exports as Partial<ResolverModule>;
  if (typeof loaded.request !== 'function' || typeof loaded.response !== 'function') {
    throw new ResolverCodeError(`${name}: resolver code must export request and response functions`);
  }
  return { name, request: loaded.request, response: loaded.response };
}

export type HandlerOutcome = { readonly early: boolean; readonly value: unknown };

/** Calls a handler with its effects recorded. `early` says it ended with `runtime.earlyReturn`. */
export function callHandler(handler: Handler, ctx: unknown, into: Effects): HandlerOutcome {
  const previous = current;
  current = into;
  try {
    return { early: false, value: handler(ctx) };
  } catch (error) {
    if (error instanceof EarlyReturn) return { early: true, value: error.value };
    throw error;
  } finally {
    current = previous;
  }
}
