/**
 * The resolver-code compiler the local stack gives the GraphQL engine (local/graphql/appsync-js.ts,
 * `ResolverCodeCompiler`): code is checked with the same rules AppSync applies (the
 * `@aws-appsync/eslint-plugin` base set, plus `throw`, which its rules do not cover: the same
 * rules as `npm run lint`), then turned into CommonJS by esbuild. Code that passed the check is
 * remembered on disk.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { transformSync } from 'esbuild';
import type { Linter } from 'eslint';
import { type ResolverCodeCompiler, type ResolverModule, ResolverCodeError, loadResolverCode as loadWith } from '../graphql/appsync-js.js';

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

/** AppSync's restrictions checked, then the module as CommonJS. */
export const compileResolverCode: ResolverCodeCompiler = (code, name) => {
  const violations = appSyncJsViolations(code);
  if (violations.length > 0) {
    throw new ResolverCodeError(`${name}: the APPSYNC_JS runtime does not support:\n  ${violations.join('\n  ')}`);
  }
  try {
    return transformSync(code, { format: 'cjs', loader: 'js', target: 'es2021' }).code;
  } catch (error) {
    throw new ResolverCodeError(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
};

/** Loads resolver code as the local stack does (appsync-js.ts, `loadResolverCode`). */
export function loadResolverCode(code: string, name: string): ResolverModule {
  return loadWith(code, name, compileResolverCode);
}
