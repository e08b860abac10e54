import { fileURLToPath } from 'node:url';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.js';

/** The repository root: what `npm start` runs. */
export const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** What a test keeps of a stack's own lines (its log, the functions' output) to assert on them. */
export interface KeptOutput {
  readonly log?: (line: string) => void;
  readonly functionOutput?: (text: string) => void;
}

/** The stack's lines go to the test that keeps them, and to the console only with `E2E_VERBOSE=1`. */
export function testOutput(kept: KeptOutput = {}): Pick<LocalStackOptions, 'log' | 'functionOutput'> {
  return {
    log: (line) => {
      kept.log?.(line);
      if (process.env['E2E_VERBOSE']) console.log(line);
    },
    functionOutput: (text) => {
      kept.functionOutput?.(text);
      if (process.env['E2E_VERBOSE']) process.stdout.write(text);
    },
  };
}

/**
 * The local stack as the suites start it in-process: this repository's app on free ports, and
 * fresh state thrown away on stop unless `overrides` names a `stateDir` (a test of restarts).
 */
export function startTestStack(overrides: Partial<LocalStackOptions> = {}, kept: KeptOutput = {}): Promise<LocalStack> {
  return startLocalStack({
    projectDir: PROJECT_DIR,
    port: 0,
    s3Port: 0,
    ...(overrides.stateDir === undefined ? { ephemeral: true } : {}),
    ...testOutput(kept),
    ...overrides,
  });
}

/**
 * For a test that stops a stack and starts another on the same state: the folder it names, every
 * port free, and nothing written or watched outside the folder.
 */
export const onStateDir = (stateDir: string) =>
  ({ stateDir, stepFunctionsPort: 0, messaging: { port: 0 }, outputsPath: null, hotReload: false }) satisfies Partial<LocalStackOptions>;

export { type StackTarget, stackTarget } from './stack-target.js';
