import { describe, expect, it } from 'vitest';
import { type ScaleRow, kibPerSubscriber, scaleComparisons } from '../../../bench/sections/scale.js';
import { fileLimits } from '../../../bench/lib/fd-limit.js';

const row = (target: ScaleRow['target'], overrides: Partial<ScaleRow> = {}): ScaleRow => ({
  target,
  subscribers: 10_000,
  publishes: 60,
  openSeconds: 10,
  delivered: 600_000,
  lost: 0,
  duplicates: 0,
  leaked: target === 'local' ? 0 : undefined,
  p50: 20,
  p95: 60,
  p99: 80,
  max: 100,
  distributionMs: [20, 30, 40, 60, 80, 95],
  rssBeforeKiB: 100_000,
  rssLiveKiB: 250_000,
  rssAfterKiB: 120_000,
  ...overrides,
});

describe('kibPerSubscriber', () => {
  it('given 150,000 KiB more with 10,000 live, when divided, then 15 KiB each', () => {
    expect(kibPerSubscriber(row('local'))).toBe(15);
  });

  it('given no subscribers, when divided, then no figure', () => {
    expect(kibPerSubscriber(row('local', { subscribers: 0 }))).toBeNaN();
  });
});

describe('scaleComparisons', () => {
  it('given no loss, p95 1.2x bare ws and 15 KiB per subscriber, when compared, then every target is met', () => {
    const [loss, p95, memory] = scaleComparisons(row('local'), row('bare ws', { p95: 50 }));
    expect(loss?.met).toBe(true);
    expect(p95?.ratio).toBeCloseTo(1.2, 9);
    expect(p95?.met).toBe(true);
    expect(memory?.met).toBe(true);
  });

  it('given one message to another file\'s subscriber, when compared, then the loss row fails', () => {
    expect(scaleComparisons(row('local', { leaked: 1 }), row('bare ws'))[0]?.met).toBe(false);
  });

  it('given 25 KiB per subscriber, when compared, then the memory row fails', () => {
    expect(scaleComparisons(row('local', { rssLiveKiB: 350_000 }), row('bare ws'))[2]?.met).toBe(false);
  });
});

describe('fileLimits', () => {
  it('reads this process\'s open-file limits from /proc, the soft one no higher than the hard one', () => {
    const { soft, hard } = fileLimits();
    expect(soft).toBeGreaterThan(0);
    expect(soft).toBeLessThanOrEqual(hard);
  });
});
