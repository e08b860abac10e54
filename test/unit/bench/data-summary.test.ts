import { describe, expect, it } from 'vitest';
import { type DataRow, dataComparisons, dataRow, fromSdk } from '../../../bench/sections/data.js';
import { perRequest } from '../../../bench/lib/cpu-parts.js';
import { unitsOf } from '../../../bench/targets/instrument.js';

const measured = (reqPerSec: number, p99Ms: number, errors = 0) => ({
  reqPerSec,
  p50Ms: 1,
  p99Ms,
  distributionMs: [1, 2, 3, p99Ms, p99Ms],
  errors,
  requests: 100,
  parts: new Map([['main', 100]]),
});

describe('fromSdk', () => {
  it('given sorted latencies over 2 s, when summarized, then the rate is calls over seconds and p99 the nearest rank', () => {
    const latenciesMs = Array.from({ length: 100 }, (_, i) => i + 1);
    const m = fromSdk({ requests: 100, errors: 0, seconds: 2, latenciesMs }, new Map());
    expect(m.reqPerSec).toBe(50);
    expect(m.p99Ms).toBe(99);
    expect(m.p50Ms).toBe(50);
  });
});

describe('dataComparisons', () => {
  const rows: DataRow[] = [
    dataRow('file(id)', 'local, user pool', 'wrk', [measured(900, 20)]),
    dataRow('file(id)', 'SDK from one process', '-', [measured(1_000, 15)]),
    dataRow('files(limit: 20)', 'local, user pool', 'wrk', [measured(100, 90)]),
    dataRow('files(limit: 20)', 'SDK from one process', '-', [measured(400, 30)]),
  ];

  it('given file(id) at 0.9x the SDK rate and 1.33x its p99, when compared, then both targets are met', () => {
    const [rate, p99] = dataComparisons(rows, 'wrk');
    expect(rate?.ratio).toBeCloseTo(0.9, 9);
    expect(rate?.met).toBe(true);
    expect(p99?.ratio).toBeCloseTo(20 / 15, 9);
    expect(p99?.met).toBe(true);
  });

  it('given files(limit: 20), which has no target in the issue, when compared, then the ratio is reported and not judged', () => {
    const files = dataComparisons(rows, 'wrk').filter((c) => c.measure.startsWith('files'));
    expect(files.map((c) => [c.ratio, c.target, c.met])).toEqual([
      [0.25, '-', undefined],
      [3, '-', undefined],
    ]);
  });

  it('given no runs under a generator, when compared, then gives no rows for it', () => {
    expect(dataComparisons(rows, 'autocannon')).toEqual([]);
  });
});

describe('perRequest', () => {
  it('given two runs, when pooled, then each part is its summed CPU over the summed requests, largest first', () => {
    const out = perRequest([
      { parts: new Map([['a', 10], ['b', 30]]), requests: 10 },
      { parts: new Map([['a', 30], ['b', 10]]), requests: 30 },
    ]);
    expect(out).toEqual([
      { part: 'a', ms: 1 },
      { part: 'b', ms: 1 },
    ]);
  });
});

describe('unitsOf (DynamoDB consumed capacity)', () => {
  it('given a GetItem answer with CapacityUnits only, when read, then they are read units', () => {
    expect(unitsOf('GetItem', { CapacityUnits: 1 })).toEqual({ read: 1, write: 0 });
  });

  it('given an UpdateItem answer with CapacityUnits only, when read, then they are write units', () => {
    expect(unitsOf('UpdateItem', { CapacityUnits: 2 })).toEqual({ read: 0, write: 2 });
  });

  it('given a batch answer listing tables with split units, when read, then each kind is summed', () => {
    expect(unitsOf('TransactWriteItems', [{ ReadCapacityUnits: 0, WriteCapacityUnits: 4 }, { CapacityUnits: 2 }])).toEqual({ read: 0, write: 6 });
  });

  it('given no ConsumedCapacity, when read, then counts nothing', () => {
    expect(unitsOf('Query', undefined)).toEqual({ read: 0, write: 0 });
  });
});
