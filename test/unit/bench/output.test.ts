import { describe, expect, it } from 'vitest';
import { changedCode } from '../../../bench/lib/output.js';

describe('changedCode', () => {
  it('given only the bench outputs and docs changed, when checked, then no code changed (the run measures the commit)', () => {
    expect(changedCode(' M docs/benchmarks.md\n M docs/charts/http-latency-wrk.svg\nM  docs/local-stack.md\n')).toEqual([]);
  });

  it('given a change outside docs/, when checked, then it is listed, however it is staged', () => {
    expect(changedCode(' M docs/benchmarks.md\n M local/lambda/local-function.ts\nM  bench/run.ts\n')).toEqual(['local/lambda/local-function.ts', 'bench/run.ts']);
  });

  it('given a file renamed out of docs/, when checked, then its new path counts', () => {
    expect(changedCode('R  docs/notes.ts -> local/notes.ts\n')).toEqual(['local/notes.ts']);
  });

  it('given a clean tree, when checked, then nothing changed', () => {
    expect(changedCode('')).toEqual([]);
  });
});
