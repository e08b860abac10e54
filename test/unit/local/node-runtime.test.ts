import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { enginesOf, lambdaNodeMajor, runtimeMismatch, unsupportedNode } from '../../../local/startup/node-runtime.js';

const packageJson = fileURLToPath(new URL('../../../package.json', import.meta.url));

describe('given package.json engines', () => {
  it('then it asks for Node 22.12 or newer', () => {
    expect(enginesOf(packageJson)).toBe('>=22.12');
  });

  it('when the Node is 20, then one line says which version is needed and which this is', () => {
    const refusal = unsupportedNode('v20.20.2', '>=22.12');
    expect(refusal).toContain('>=22.12');
    expect(refusal).toContain('v20.20.2');
    expect(refusal?.split('\n')).toHaveLength(1);
  });

  it('when the Node is 22.11, then it is refused; 22.12 and 24 are accepted', () => {
    expect(unsupportedNode('v22.11.0', '>=22.12')).toBeDefined();
    expect(unsupportedNode('v22.12.0', '>=22.12')).toBeUndefined();
    expect(unsupportedNode('v24.1.0', '>=22.12')).toBeUndefined();
  });
});

describe('given functions with template runtimes', () => {
  it('when a runtime is Lambda Node, then its major is read; other runtimes have none', () => {
    expect(lambdaNodeMajor('nodejs22.x')).toBe(22);
    expect(lambdaNodeMajor('nodejs24.x')).toBe(24);
    expect(lambdaNodeMajor('python3.13')).toBeUndefined();
  });

  it('when every Node function matches this major, then nothing is said', () => {
    const functions = [
      { logicalId: 'A', runtime: 'nodejs22.x' },
      { logicalId: 'B', runtime: 'python3.13' },
      { logicalId: 'C', runtime: undefined },
    ];
    expect(runtimeMismatch(functions, 'v22.23.5')).toBeUndefined();
  });

  it('when some name another major, then one line names each runtime with its functions', () => {
    const functions = [
      { logicalId: 'A', runtime: 'nodejs22.x' },
      { logicalId: 'B', runtime: 'nodejs24.x' },
      { logicalId: 'C', runtime: 'nodejs24.x' },
      { logicalId: 'D', runtime: 'nodejs20.x' },
    ];
    const line = runtimeMismatch(functions, 'v22.23.5');
    expect(line).toBe(
      'Functions run here on Node 22, but the template names nodejs24.x (B, C); nodejs20.x (D): behaviour may differ from Lambda\'s.',
    );
  });
});

describe('given `npm start` on a Node older than engines', () => {
  it('then it exits 1 with one line naming the version it needs, before the stack loads', () => {
    // The real entry point, with this Node reporting itself as 20 from a preload.
    const preload = `data:text/javascript,Object.defineProperty(process,'version',{value:'v20.20.2'})`;
    const result = spawnSync(process.execPath, ['--import', preload, '--import', 'tsx', 'local/main.ts', '--port', '0'], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'The local stack needs Node >=22.12 (package.json "engines"); this is Node v20.20.2. Install Node 22 or newer (docs/testing.md shows how without root).',
    ]);
  });
});
