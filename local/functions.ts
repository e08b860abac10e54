/**
 * The template's functions as the stack's other parts reach them: built at start by local/lambda
 * and invoked by logical id through one invoker (GraphQL, auth, events, messaging and Step
 * Functions alike), which notes when each last ran: hot reload reloads the one in use first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalValues } from './cdk/template.js';
import type { Topology } from './cdk/topology.js';
import type { FaultConfig } from './faults/rules.js';
import { buildFunctions as buildAllFunctions } from './lambda/build-functions.js';
import type { LocalFunction } from './lambda/local-function.js';
import { type Endpoints, type LocalNames, functionEnvironment } from './wiring.js';

/** No function of the template has this logical id (or it failed to build). */
export class NoLocalFunctionError extends Error {
  override readonly name = 'NoLocalFunctionError';
  constructor(readonly logicalId: string) {
    super(`No local function ${logicalId}`);
  }
}

export class LocalFunctions {
  readonly #functions = new Map<string, LocalFunction>();
  readonly #lastInvoked = new Map<string, number>();

  add(built: ReadonlyMap<string, LocalFunction>): void {
    for (const [logicalId, fn] of built) this.#functions.set(logicalId, fn);
  }

  has(logicalId: string): boolean {
    return this.#functions.has(logicalId);
  }

  values(): IterableIterator<LocalFunction> {
    return this.#functions.values();
  }

  /** Rejects with NoLocalFunctionError, or with the function's own FunctionError. */
  readonly invoke = async (logicalId: string, event: unknown): Promise<unknown> => {
    const fn = this.#functions.get(logicalId);
    if (!fn) throw new NoLocalFunctionError(logicalId);
    this.#lastInvoked.set(logicalId, Date.now());
    return fn.invoke(event);
  };

  /** When `fn` last ran (epoch ms; 0 if never). */
  lastInvoked(fn: LocalFunction): number {
    return this.#lastInvoked.get(fn.name) ?? 0;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#functions.values()].map((fn) => fn.stop()));
  }
}

/**
 * A function's environment with the app's own packages as a last resort (`NODE_PATH`, searched
 * after every node_modules folder above the bundle, as Lambda's runtime sets NODE_PATH to its own
 * packages). On Node.js 18 and later NodejsFunction leaves every `@aws-sdk/*` client out of the
 * bundle because Lambda's runtime has them all; locally they resolve from the local stack's
 * packages, which have a few clients only, so a function calling another service failed with
 * "Cannot find module '@aws-sdk/client-bedrock-runtime'" (serverless-patterns'
 * appsync-lambda-bedrock-async-stream-subscription-cdk, which installs that client itself). A
 * NODE_PATH the template sets wins.
 */
export function withAppModules(environment: Readonly<Record<string, string>>, appDir: string | undefined): Record<string, string> {
  const modules = appDir === undefined ? undefined : join(appDir, 'node_modules');
  if (modules === undefined || !existsSync(modules)) return { ...environment };
  return { NODE_PATH: modules, ...environment };
}

/** Builds every function of the template with its local environment; `faults` (tests) go to the workers that host them. */
export async function buildFunctions(
  topology: Topology,
  values: LocalValues,
  names: LocalNames,
  endpoints: Endpoints,
  projectDir: string,
  stateDir: string,
  onOutput: ((text: string) => void) | undefined,
  faults?: FaultConfig,
  /** An app of its own folder (`--app-dir`): its packages back its functions' (withAppModules). */
  appDir?: string,
): Promise<Map<string, LocalFunction>> {
  // Bundles go under the project so their external packages resolve from its node_modules; one
  // folder per state folder, so that two stacks of one project do not build over each other.
  const buildDir = join(projectDir, 'node_modules', '.cache', 'appsync-local', hashOf(stateDir));
  return buildAllFunctions({
    functions: topology.functions.values(),
    skipped: topology.skippedFunctions,
    projectDir,
    buildDir,
    arnOf: (logicalId) => values.getAtt(logicalId, 'Arn'),
    environmentOf: (logicalId) =>
      withAppModules(topology.functions.has(logicalId) ? functionEnvironment(topology, logicalId, values, names, endpoints) : {}, appDir),
    ...(onOutput ? { onOutput } : {}),
    ...(faults ? { faults } : {}),
  });
}

/** A short stable name for a path (not a security boundary). */
function hashOf(text: string): string {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(36);
}
