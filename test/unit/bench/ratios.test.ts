import { describe, expect, it } from 'vitest';
import { atLeast, atMost, meets, ratioComparison, ratioOf, targetText } from '../../../bench/lib/ratios.js';
import { fmtInt } from '../../../bench/lib/report.js';

describe('ratioOf', () => {
  it('given both figures, when divided, then gives ours over the reference', () => {
    expect(ratioOf(6_600, 1_100)).toBe(6);
  });

  it('given a missing, zero or non-finite reference, when divided, then gives no ratio', () => {
    expect(ratioOf(10, 0)).toBeUndefined();
    expect(ratioOf(10, Number.NaN)).toBeUndefined();
    expect(ratioOf(undefined, 5)).toBeUndefined();
    expect(ratioOf(Number.POSITIVE_INFINITY, 5)).toBeUndefined();
  });
});

describe('meets', () => {
  it('given an at-least target, when the ratio equals the bound, then it is met', () => {
    expect(meets(6, atLeast(6))).toBe(true);
    expect(meets(5.99, atLeast(6))).toBe(false);
  });

  it('given an at-most target, when the ratio is over the bound, then it is not met', () => {
    expect(meets(0.2, atMost(0.2))).toBe(true);
    expect(meets(0.21, atMost(0.2))).toBe(false);
  });

  it('given no ratio, when checked, then the verdict is unknown rather than a failure', () => {
    expect(meets(undefined, atLeast(1))).toBeUndefined();
  });
});

describe('ratioComparison', () => {
  it('given a ratio over the bound but a failed side condition (errors), when compared, then it is not met', () => {
    const row = ratioComparison({ measure: 'req/s', ours: 7_000, reference: 1_000, format: fmtInt, referenceName: 'simulator', target: atLeast(6), alsoRequired: false });
    expect(row.ratio).toBe(7);
    expect(row.met).toBe(false);
    expect(row.target).toBe('>= 6x');
    expect(row.reference).toBe('simulator 1,000');
  });

  it('given the figures of issue 20 (6,600 against a 17,400 ceiling), when compared, then 0.38x misses >= 0.6x', () => {
    const row = ratioComparison({ measure: 'vs ceiling', ours: 6_600, reference: 17_400, format: fmtInt, referenceName: 'execute() cached', target: atLeast(0.6) });
    expect(row.ratio).toBeCloseTo(0.379, 3);
    expect(row.met).toBe(false);
  });

  it('given an at-most target, when written, then reads "<= 0.2x"', () => {
    expect(targetText(atMost(0.2))).toBe('<= 0.2x');
  });
});
