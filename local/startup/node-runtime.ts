/**
 * Which Node this process is, against what the project and the template ask for. Lambda runs our
 * functions on the template's runtime (`nodejs22.x`); the local stack runs them on this process's
 * Node, so a different major is a difference a developer should hear about before a deploy.
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';

/** The one-line refusal when this Node is older than package.json's `engines.node`, else undefined. */
export function unsupportedNode(nodeVersion: string, engines: string): string | undefined {
  if (semver.satisfies(nodeVersion, engines)) return undefined;
  return `The local stack needs Node ${engines} (package.json "engines"); this is Node ${nodeVersion}. Install Node 22 or newer (docs/testing.md shows how without root).`;
}

/** `engines.node` of the package.json at `packageJsonPath`. */
export function enginesOf(packageJsonPath: string): string {
  const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { engines?: { node?: string } };
  return manifest.engines?.node ?? '*';
}

/** A Lambda Node.js runtime identifier's major (`nodejs22.x` -> 22); undefined for any other runtime. */
export function lambdaNodeMajor(runtime: string): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  return match ? Number(match[1]) : undefined;
}

/**
 * One line naming the functions whose template runtime is another Node major than this process,
 * grouped by runtime; undefined when every Node function matches.
 */
export function runtimeMismatch(
  functions: Iterable<{ readonly logicalId: string; readonly runtime: string | undefined }>,
  nodeVersion: string,
): string | undefined {
  const here = semver.major(nodeVersion);
  const byRuntime = new Map<string, string[]>();
  for (const fn of functions) {
    if (fn.runtime === undefined) continue;
    const major = lambdaNodeMajor(fn.runtime);
    if (major === undefined || major === here) continue;
    byRuntime.set(fn.runtime, [...(byRuntime.get(fn.runtime) ?? []), fn.logicalId]);
  }
  if (byRuntime.size === 0) return undefined;
  const parts = [...byRuntime].map(([runtime, ids]) => `${runtime} (${ids.join(', ')})`);
  return `Functions run here on Node ${here}, but the template names ${parts.join('; ')}: behaviour may differ from Lambda's.`;
}
