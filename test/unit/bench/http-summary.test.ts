import { describe, expect, it } from 'vitest';
import { type HttpRow, httpComparisons, summarizeRuns } from '../../../bench/sections/http.js';

const run = (reqPerSec: number, p99Ms: number, errors = 0) => ({ reqPerSec, p50Ms: 1, p99Ms, errors, requests: 100, distributionMs: [1, 2, 3, p99Ms, p99Ms * 2] });

const row = (target: HttpRow['target'], auth: HttpRow['auth'], generator: HttpRow['generator'], reqPerSec: number, p99: number, errors = 0): HttpRow => ({
  target,
  auth,
  ...summarizeRuns(generator, [run(reqPerSec, p99, errors)]),
});

describe('summarizeRuns', () => {
  it('given three runs, when summarized, then takes medians of rates and latencies and sums the counts', () => {
    const s = summarizeRuns('wrk', [run(100, 10, 1), run(300, 30), run(200, 20, 2)]);
    expect(s.reqPerSec).toBe(200);
    expect(s.p99).toBe(20);
    expect(s.errors).toBe(3);
    expect(s.requests).toBe(300);
    expect(s.distributionMs).toEqual([1, 2, 3, 20, 40]);
  });
});

describe('httpComparisons', () => {
  const rows: HttpRow[] = [
    row('local', 'user pool', 'wrk', 6_600, 10),
    row('simulator', 'user pool', 'wrk', 1_000, 100),
    row('execute() cached', 'none', 'wrk', 10_000, 5),
    row('local', 'user pool', 'autocannon', 3_000, 20),
    row('simulator', 'user pool', 'autocannon', 1_000, 50),
    row('execute() cached', 'none', 'autocannon', 9_000, 8),
  ];

  it('given one generator, when compared, then only that generator\'s rows are used, with the issue\'s targets', () => {
    const wrk = httpComparisons(rows, 'wrk');
    expect(wrk.map((c) => [c.measure, c.ratio, c.target, c.met])).toEqual([
      ['req/s, user pool (wrk)', 6.6, '>= 6x', true],
      ['p99 ms, user pool (wrk)', 0.1, '<= 0.2x', true],
      ['req/s, user pool, vs ceiling (wrk)', 0.66, '>= 0.6x', true],
    ]);
    const autocannon = httpComparisons(rows, 'autocannon');
    expect(autocannon.map((c) => c.met)).toEqual([false, false, false]);
  });

  it('given errors in our runs, when compared, then the rate is not met however high', () => {
    const withErrors = rows.map((r) => (r.target === 'local' && r.generator === 'wrk' ? { ...r, errors: 3 } : r));
    expect(httpComparisons(withErrors, 'wrk')[0]?.met).toBe(false);
  });
});
