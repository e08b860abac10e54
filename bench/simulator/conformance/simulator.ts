/**
 * amplify-appsync-simulator, loaded through a require rooted in bench/simulator (it needs
 * graphql 15, installed apart from the project's graphql 16) and typed by hand with the little
 * the conformance runner uses, so `tsc` passes without that install (as target.ts does).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { SIMULATOR_DIR } from '../../lib/paths.js';
import type { SimulatorConfig } from './config.js';

export interface SimulatorInstance {
  init(config: SimulatorConfig): void;
  reload(config: SimulatorConfig): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Private in the package; reached to bind it to loopback (it listens on every interface). */
  readonly _server: { readonly _httpServer: Server };
}
interface SimulatorModule {
  AmplifyAppSyncSimulator: new (config: { port: number; wsPort?: number }) => SimulatorInstance;
}

const requireFromSimulator = createRequire(join(SIMULATOR_DIR, 'package.json'));

export const simulatorVersion = (): string => (requireFromSimulator('@aws-amplify/amplify-appsync-simulator/package.json') as { version: string }).version;

export function createSimulator(port: number): SimulatorInstance {
  const { AmplifyAppSyncSimulator } = requireFromSimulator('@aws-amplify/amplify-appsync-simulator') as SimulatorModule;
  const simulator = new AmplifyAppSyncSimulator({ port });
  const httpServer = simulator._server._httpServer;
  const listen = httpServer.listen.bind(httpServer) as (port: number, host: string) => Server;
  (httpServer as unknown as { listen: (port: number) => Server }).listen = (p: number) => listen(p, '127.0.0.1');
  return simulator;
}

/** Starts a simulator on loopback serving `config`. */
export async function startSimulator(port: number, config: SimulatorConfig): Promise<SimulatorInstance> {
  const simulator = createSimulator(port);
  simulator.init(config);
  await simulator.start();
  return simulator;
}
