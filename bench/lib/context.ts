/**
 * What every section gets: the options, the local stack and the simulator (each started once,
 * on first use, and shared by the sections), and a log.
 */
import type { Target } from './child.js';
import type { BenchOptions } from './options.js';
import { type LocalStackInfo, type SimulatorInfo, startLocalStackTarget, startSimulatorTarget } from './targets.js';

export interface BenchContext {
  readonly options: BenchOptions;
  localStack(): Promise<Target<LocalStackInfo>>;
  simulator(): Promise<Target<SimulatorInfo>>;
  log(line: string): void;
  /** Stops the shared targets (a section that needs the machine to itself calls it first). */
  close(): Promise<void>;
}

export function createContext(options: BenchOptions): BenchContext {
  let stack: Promise<Target<LocalStackInfo>> | undefined;
  let simulator: Promise<Target<SimulatorInfo>> | undefined;
  const started = Date.now();
  const stop = async <T>(target: Promise<Target<T>> | undefined) => {
    // A target that failed to start has nothing to stop; its error went to the section that used it.
    const running = await target?.catch(() => undefined);
    await running?.stop();
  };
  return {
    options,
    localStack() {
      stack ??= startLocalStackTarget();
      return stack;
    },
    simulator() {
      simulator ??= startSimulatorTarget();
      return simulator;
    },
    log(line) {
      console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
    },
    async close() {
      const [a, b] = [stack, simulator];
      stack = undefined;
      simulator = undefined;
      await Promise.all([stop(a), stop(b)]);
    },
  };
}
