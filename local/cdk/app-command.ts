/**
 * `npm start -- --app-dir DIR`: the CDK app in DIR run as the CDK CLI runs it. Its cdk.json's
 * `app` command in DIR, with DIR's own `node_modules/.bin` first on PATH, the context of its
 * cdk.json and cdk.context.json (the CLI passes both to the app), and bundling on: its
 * NodejsFunctions are bundled by aws-cdk-lib with the app's esbuild, as `cdk synth` bundles them.
 */
import { existsSync } from 'node:fs';
import { access, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export class AppDirError extends Error {
  override readonly name = 'AppDirError';
}

export interface AppCommand {
  /** Run with `sh -c` in the app's folder. */
  readonly command: string;
  /** cdk.json's and cdk.context.json's context (the synthesis adds its own on top). */
  readonly context: Readonly<Record<string, unknown>>;
  /** PATH for the command: the app's bins, then the local stack's (esbuild, tsx), then the caller's. */
  readonly path: string;
  /**
   * NODE_PATH: an app whose packages are not installed next to it (a folder without
   * node_modules) resolves aws-cdk-lib and constructs from the local stack's, as CommonJS does.
   */
  readonly nodePath: string;
}

/** Stand-ins for what `cdk init` apps import besides aws-cdk-lib (`source-map-support/register`). */
const APP_SHIMS = fileURLToPath(new URL('app-shims', import.meta.url));

const readJson = async (path: string): Promise<Record<string, unknown> | undefined> => {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppDirError(`${path}: ${(error as Error).message}`);
  }
};

const resolvable = (name: string, from: string): boolean => {
  try {
    createRequire(join(from, 'package.json')).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
};

/**
 * One step of the app command as it can run here without the registry: `npx ts-node [--flags]
 * app.ts` when ts-node is not installed would make npx fetch it, so the same TypeScript entry runs
 * with tsx (which the local stack brings); `npx <bin>` of a bin the app does not install but the
 * local stack does (tsx, esbuild, tsc) runs that bin from PATH, as npx outside a project cannot
 * find it.
 */
function runnableStep(step: string, appDir: string, projectDir: string): string {
  const tsNode = /^\s*(?:npx\s+)?ts-node(?:\s+--?[\w-]+(?:=\S+)?)*\s+/.exec(step);
  if (tsNode && !resolvable('ts-node', appDir)) return `tsx ${step.slice(tsNode[0].length)}`;
  const npx = /^\s*npx\s+(?:--?[\w-]+\s+)*([\w@./-]+)/.exec(step);
  const bin = npx?.[1];
  if (npx && bin && !existsSync(join(appDir, 'node_modules', '.bin', bin)) && existsSync(join(projectDir, 'node_modules', '.bin', bin))) {
    return step.slice(npx[0].length - bin.length);
  }
  return step;
}

/**
 * `tsc` in an app without node_modules (aws-cdk-examples' `npx tsc && npx tsx app.ts`): the
 * compiler finds none of the app's types (`@types/node`, `@types/jest`, aws-cdk-lib's), so it
 * fails on errors the app does not have, though it still writes the JavaScript its tsconfig asks
 * for (tsc emits despite type errors unless `noEmitOnError`). Its failure then does not stop the
 * steps after it; its diagnostics still go to stderr, so a later failure shows them.
 */
const TSC_STEP = /^\s*tsc(?:\s|$)/;

/**
 * The app command as it can run here: each `&&` step made runnable (runnableStep), and `tsc`
 * steps of an app whose packages are not installed kept from stopping it (TSC_STEP).
 */
export function withTypeScriptRunner(command: string, appDir: string, projectDir: string): string {
  const installed = existsSync(join(appDir, 'node_modules'));
  return command
    .split('&&')
    .map((step) => {
      const runnable = runnableStep(step, appDir, projectDir).trim();
      if (installed || !TSC_STEP.test(runnable)) return runnable;
      return `{ ${runnable} 1>&2 || echo 'tsc failed: the app has no node_modules (its types are not installed); continuing' 1>&2; }`;
    })
    .join(' && ');
}

/**
 * An npm global prefix (`npm_config_prefix`) in `dir` whose only global package is the local
 * stack's esbuild. aws-cdk-lib's NodejsFunction finds esbuild by `require` (for an app without
 * esbuild of its own, the local stack's, through NODE_PATH or aws-cdk-lib's own location) and
 * then runs `npx --no-install esbuild` in the app's folder, which looks in the app's
 * node_modules and npm's global packages only, not PATH: the bundling failed ("npx canceled due
 * to missing packages"), where `cdk synth` elsewhere would bundle in Docker, which is not here
 * (serverless-patterns' appsync-cognito-lambda-cdk). An esbuild the app installs still comes
 * first, as npx looks in the app's packages before global ones; local installs are unaffected.
 */
export async function npmPrefixWithEsbuild(dir: string, projectDir: string): Promise<string> {
  const esbuild = join(projectDir, 'node_modules', 'esbuild');
  await mkdir(join(dir, 'lib', 'node_modules'), { recursive: true });
  await mkdir(join(dir, 'bin'), { recursive: true });
  await replaceLink(esbuild, join(dir, 'lib', 'node_modules', 'esbuild'));
  await replaceLink(join(esbuild, 'bin', 'esbuild'), join(dir, 'bin', 'esbuild'));
  return dir;
}

async function replaceLink(target: string, path: string): Promise<void> {
  await rm(path, { force: true });
  await symlink(target, path);
}

export async function appCommand(appDir: string, projectDir: string): Promise<AppCommand> {
  const cdkJson = await readJson(join(appDir, 'cdk.json'));
  if (!cdkJson) throw new AppDirError(`${appDir} has no cdk.json: --app-dir names the folder of a CDK app (where \`cdk synth\` runs)`);
  const app = cdkJson['app'];
  if (typeof app !== 'string' || app.trim() === '') throw new AppDirError(`${join(appDir, 'cdk.json')} has no "app" command`);
  const context = {
    ...((cdkJson['context'] as Record<string, unknown> | undefined) ?? {}),
    ...((await readJson(join(appDir, 'cdk.context.json'))) ?? {}),
  };
  const bins = [join(appDir, 'node_modules', '.bin'), join(projectDir, 'node_modules', '.bin')];
  await access(appDir).catch(() => {
    throw new AppDirError(`--app-dir ${appDir} does not exist`);
  });
  // Last, stand-ins for packages such apps import only at their entry (app-shims/).
  const nodePath = [process.env['NODE_PATH'], join(projectDir, 'node_modules'), APP_SHIMS].filter(Boolean).join(delimiter);
  return { command: withTypeScriptRunner(app, appDir, projectDir), context, path: [...bins, process.env['PATH'] ?? ''].join(delimiter), nodePath };
}
