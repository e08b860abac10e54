/** Starting each target of the comparison; every one listens on loopback only. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LocalStackInfo } from '../targets/local-stack.js';
import { type InProcessHandler, uploadPolicyHandler } from './app.js';
import { type StartOptions, type Target, freePort, startTarget } from './child.js';
import { SIMULATOR_DIR } from './paths.js';

export type { LocalStackInfo };

export interface SimulatorInfo {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly host: string;
  readonly apiKey: string;
  readonly accessKeyId: string;
}

export interface BareInfo {
  readonly graphqlUrl: string;
}

export interface BroadcastInfo {
  readonly publishUrl: string;
  readonly realtimeUrl: string;
}

export function startLocalStackTarget(options: Pick<StartOptions, 'nodeArgs' | 'env'> = {}): Promise<Target<LocalStackInfo>> {
  return startTarget<LocalStackInfo>('bench/targets/local-stack.ts', { ...options, timeoutMs: 180_000 });
}

const handlerArgs = (handler: InProcessHandler) => ['--bundle', handler.bundlePath, '--handler', handler.handlerName, '--function', handler.functionName];

export async function startSimulatorTarget(): Promise<Target<SimulatorInfo>> {
  await ensureSimulatorInstalled();
  const handler = await uploadPolicyHandler();
  return startTarget<SimulatorInfo>('bench/simulator/target.ts', {
    args: ['--port', String(await freePort()), ...handlerArgs(handler)],
    env: handler.environment,
  });
}

export async function startBareTarget(mode: 'graphql' | 'execute'): Promise<Target<BareInfo>> {
  const handler = await uploadPolicyHandler();
  return startTarget<BareInfo>('bench/targets/graphql-bare.ts', { args: ['--mode', mode, ...handlerArgs(handler)], env: handler.environment });
}

export function startBroadcastTarget(): Promise<Target<BroadcastInfo>> {
  return startTarget<BroadcastInfo>('bench/targets/ws-broadcast.ts');
}

/** The simulator lives in its own package (it needs graphql 15); install it from its lock file once. */
export async function ensureSimulatorInstalled(): Promise<void> {
  if (existsSync(join(SIMULATOR_DIR, 'node_modules', '@aws-amplify', 'amplify-appsync-simulator'))) return;
  console.log('Installing the simulator: npm ci --prefix bench/simulator');
  await promisify(execFile)('npm', ['ci', '--prefix', SIMULATOR_DIR, '--no-audit', '--no-fund'], { maxBuffer: 16 * 1024 * 1024 });
}
