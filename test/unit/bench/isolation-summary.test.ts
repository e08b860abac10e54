import { describe, expect, it } from 'vitest';
import { type IsolationRun, isolationComparisons, isolationEvidence, isolationRow, totalUs } from '../../../bench/sections/isolation.js';

const run = (calls: number, seconds: number, parts: Record<string, number>, errors = 0): IsolationRun => ({
  result: { calls, errors, seconds },
  parts: new Map(Object.entries(parts)),
});

describe('isolationRow', () => {
  it('given three rounds, when combined, then the rate is their median and CPU is summed over every call', () => {
    const row = isolationRow('environments', 4, [
      run(1_000, 10, { main: 100, 'function `files-api` (its JS thread)': 700 }),
      run(3_000, 10, { main: 300, 'function `files-api` (its JS thread)': 2_100 }, 2),
      run(2_000, 10, { main: 200, 'function `files-api` (its JS thread)': 1_400 }),
    ]);
    expect(row.callsPerSec).toBe(200);
    expect(row.calls).toBe(6_000);
    expect(row.errors).toBe(2);
    // 4,200 ms over 6,000 calls, then 600 ms over 6,000: largest part first.
    expect(row.cpuUsPerCall).toEqual([
      { part: 'function `files-api` (its JS thread)', us: 700 },
      { part: 'main', us: 100 },
    ]);
    expect(totalUs(row)).toBe(800);
  });

  it('given no calls, when combined, then there is no CPU per call rather than a division by zero', () => {
    expect(isolationRow('in-process', 1, [run(0, 10, { main: 5 })]).cpuUsPerCall).toEqual([]);
  });
});

describe('isolationComparisons and isolationEvidence', () => {
  const rows = [
    isolationRow('in-process', 1, [run(800, 1, { main: 480 })]),
    isolationRow('environments', 1, [run(700, 1, { main: 70, fn: 490 })]),
    isolationRow('in-process', 4, [run(1_500, 1, { main: 750 })]),
    isolationRow('environments', 4, [run(1_000, 1, { main: 200, fn: 1_000 })]),
  ];

  it('given both ways at 1 and 4 in flight, when compared, then each concurrency gets a rate and a CPU ratio, none judged', () => {
    const out = isolationComparisons(rows);
    expect(out.map((c) => c.measure)).toEqual([
      'file(id) handler calls/s, one call at a time, environments vs in-process',
      'file(id) handler CPU µs per call, one call at a time, environments vs in-process',
      'file(id) handler calls/s, 4 calls in flight, environments vs in-process',
      'file(id) handler CPU µs per call, 4 calls in flight, environments vs in-process',
    ]);
    expect(out[2]?.ratio).toBeCloseTo(1_000 / 1_500, 9);
    expect(out[3]?.ratio).toBeCloseTo(1_200 / 500, 9);
    expect(out.every((c) => c.met === undefined && c.target === '-')).toBe(true);
  });

  it('given the rows, when the data section is explained, then the evidence names both ways at the stack concurrency and one at a time', () => {
    const text = isolationEvidence(rows) ?? '';
    expect(text).toContain('1,000 calls/s in 4 environments against 1,500 in-process at 4 in flight (0.67x)');
    expect(text).toContain('1,200 µs of CPU per call against 500');
    // (70 + 490) ms over 700 calls, 480 ms over 800.
    expect(text).toContain('One call at a time: 700 and 800 calls/s, 800 and 600 µs per call.');
  });

  it('given only one way measured, when explained, then there is no evidence', () => {
    expect(isolationEvidence(rows.filter((r) => r.mode === 'in-process'))).toBeUndefined();
  });
});
