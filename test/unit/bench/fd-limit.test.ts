import { describe, expect, it } from 'vitest';
import { openFilesShortfall, parseFileLimits } from '../../../bench/lib/fd-limit.js';
import { readOptions } from '../../../bench/lib/options.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes`;

describe('parseFileLimits', () => {
  it('given /proc/self/limits, when parsed, then gives the soft and hard open-file limits', () => {
    expect(parseFileLimits(LIMITS)).toEqual({ soft: 1_024, hard: 524_288 });
  });

  it('given an unlimited hard limit, when parsed, then it is infinite', () => {
    expect(parseFileLimits('Max open files            4096                 unlimited            files').hard).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('openFilesShortfall', () => {
  it('given a soft limit under the need, when checked, then says what to raise and to how much', () => {
    const why = openFilesShortfall({ soft: 4_096, hard: 4_096 }, 12_000);
    expect(why).toContain('needs 12000');
    expect(why).toContain('ulimit -Hn 24000');
  });

  it('given enough, when checked, then nothing to say', () => {
    expect(openFilesShortfall({ soft: 20_000, hard: 20_000 }, 12_000)).toBeUndefined();
  });
});

describe('readOptions', () => {
  it('given BENCH_QUICK=1, when read, then every section is shrunk as by --quick', () => {
    const before = process.env['BENCH_QUICK'];
    process.env['BENCH_QUICK'] = '1';
    try {
      const options = readOptions([]);
      expect(options.quick).toBe(true);
      expect(options.scale.subscribers).toBeLessThan(1_000);
      expect(options.json).toBe('docs/benchmarks.json');
    } finally {
      if (before === undefined) delete process.env['BENCH_QUICK'];
      else process.env['BENCH_QUICK'] = before;
    }
  });

  it('given no flag, when read, then the full run measures 10,000 subscribers, one publish a second for 60 s', () => {
    const before = process.env['BENCH_QUICK'];
    delete process.env['BENCH_QUICK'];
    try {
      expect(readOptions([]).scale).toMatchObject({ subscribers: 10_000, publishes: 60, intervalMs: 1_000 });
    } finally {
      if (before !== undefined) process.env['BENCH_QUICK'] = before;
    }
  });
});
