import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleAppSyncJs } from '../../infra/appsync-code.js';

/**
 * Runs APPSYNC_JS resolver files in the test process. `@aws-appsync/utils` on npm is type stubs
 * only, so the import is replaced by recording stubs of what the resolvers use.
 */
export interface Stubs {
  readonly util: {
    readonly time: { nowISO8601(): string };
    readonly transform: { toSubscriptionFilter(map: unknown): unknown };
    unauthorized(): never;
  };
  readonly extensions: { setSubscriptionFilter(filter: unknown): void };
  /** Every filter the resolver set, in order. */
  readonly filters: unknown[];
}

export interface ResolverModule {
  request(ctx: unknown): unknown;
  response(ctx: unknown): unknown;
}

/** What `util.time.nowISO8601()` returns under the stubs. */
export const NOW = '2026-01-02T03:04:05.678Z';

const globals = globalThis as { __appsyncStubs?: Stubs };

export function makeStubs(): Stubs {
  const filters: unknown[] = [];
  return {
    util: {
      time: { nowISO8601: () => NOW },
      transform: { toSubscriptionFilter: (map) => ({ converted: map }) },
      unauthorized: () => {
        throw new Error('Unauthorized');
      },
    },
    extensions: { setSubscriptionFilter: (filter) => void filters.push(filter) },
    filters,
  };
}

/** Loads the resolver at `codePath` with `@aws-appsync/utils` replaced by `stubs`. */
export async function loadResolver(codePath: string, stubs: Stubs): Promise<ResolverModule> {
  // What is deployed: the bundle for a TypeScript resolver, the file itself for plain JS.
  const source = codePath.endsWith('.ts') ? bundleAppSyncJs(codePath) : readFileSync(codePath, 'utf8');
  const code = source.replace(/^import \{([^}]*)\} from ['"]@aws-appsync\/utils['"];$/m, 'const {$1} = globalThis.__appsyncStubs;');
  if (!code.includes('globalThis.__appsyncStubs')) throw new Error(`${codePath} does not import @aws-appsync/utils`);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'appsync-js-')), path.basename(codePath).replace(/\.[jt]s$/, '.mjs'));
  writeFileSync(file, code);
  globals.__appsyncStubs = stubs;
  return (await import(pathToFileURL(file).href)) as ResolverModule;
}

export function clearStubs(): void {
  delete globals.__appsyncStubs;
}
