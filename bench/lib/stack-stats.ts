/** The local-stack target's figures about its functions (bench/targets/instrument.ts). */
import type { FunctionStats } from '../targets/instrument.js';

export type { FunctionStats };

export interface StackStats {
  readonly countCalls: boolean;
  readonly functions: Readonly<Record<string, FunctionStats>>;
}

export async function readStackStats(statsUrl: string, reset = false): Promise<StackStats> {
  const response = await fetch(statsUrl, { method: reset ? 'POST' : 'GET' });
  if (response.status !== 200) throw new Error(`stack stats: ${response.status}`);
  return (await response.json()) as StackStats;
}

/** The environment the stack gave `functionLogicalId` (known once it has run). */
export async function stackFunctionEnvironment(statsUrl: string, functionLogicalId: string): Promise<Record<string, string>> {
  const response = await fetch(`${statsUrl}?env=${encodeURIComponent(functionLogicalId)}`);
  if (response.status !== 200) throw new Error(`${functionLogicalId} has not run in the stack yet: no environment to copy`);
  const env = (await response.json()) as Record<string, string>;
  // The template's NODE_OPTIONS (source maps) would apply to a whole host process.
  delete env['NODE_OPTIONS'];
  return env;
}
