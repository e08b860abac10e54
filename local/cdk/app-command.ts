/**
 * `npm start -- --app-dir DIR`: the CDK app in DIR run as the CDK CLI runs it. Its cdk.json's
 * `app` command in DIR, with DIR's own `node_modules/.bin` first on PATH, the context of its
 * cdk.json and cdk.context.json (the CLI passes both to the app), and bundling on: its
 * NodejsFunctions are bundled by aws-cdk-lib with the app's esbuild, as `cdk synth` bundles them.
 */
import { existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

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
 * The app command as it can run here without the registry: `npx ts-node [--flags] app.ts` when
 * ts-node is not installed would make npx fetch it, so the same TypeScript entry runs with tsx
 * (which the local stack brings); `npx <bin>` of a bin the app does not install but the local
 * stack does (tsx, esbuild) runs that bin from PATH, as npx outside a project cannot find it.
 */
export function withTypeScriptRunner(command: string, appDir: string, projectDir: string): string {
  const tsNode = /^\s*(?:npx\s+)?ts-node(?:\s+--?[\w-]+(?:=\S+)?)*\s+/.exec(command);
  if (tsNode && !resolvable('ts-node', appDir)) return `tsx ${command.slice(tsNode[0].length)}`;
  const npx = /^\s*npx\s+(?:--?[\w-]+\s+)*([\w@./-]+)/.exec(command);
  const bin = npx?.[1];
  if (npx && bin && !existsSync(join(appDir, 'node_modules', '.bin', bin)) && existsSync(join(projectDir, 'node_modules', '.bin', bin))) {
    return command.slice(npx[0].length - bin.length);
  }
  return command;
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
  const nodePath = [process.env['NODE_PATH'], join(projectDir, 'node_modules')].filter(Boolean).join(delimiter);
  return { command: withTypeScriptRunner(app, appDir, projectDir), context, path: [...bins, process.env['PATH'] ?? ''].join(delimiter), nodePath };
}
