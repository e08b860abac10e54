/**
 * Ratios of a measured figure to its reference and the check against a target: pure arithmetic,
 * so that every section states its targets the same way and the tests can pin the edge cases.
 */
import type { Comparison } from './report.js';

/** ">= 6x": ours / reference at least 6; "<= 0.2x": at most 0.2 (latencies, times). */
export interface RatioTarget {
  readonly sense: 'at least' | 'at most';
  readonly bound: number;
}

export const atLeast = (bound: number): RatioTarget => ({ sense: 'at least', bound });
export const atMost = (bound: number): RatioTarget => ({ sense: 'at most', bound });

/** ours / reference, or undefined when either is missing, not finite, or the reference is 0. */
export function ratioOf(ours: number | undefined, reference: number | undefined): number | undefined {
  if (ours === undefined || reference === undefined) return undefined;
  if (!Number.isFinite(ours) || !Number.isFinite(reference) || reference === 0) return undefined;
  return ours / reference;
}

/** Whether `ratio` meets `target`; undefined when there is no ratio (not measurable in this run). */
export function meets(ratio: number | undefined, target: RatioTarget): boolean | undefined {
  if (ratio === undefined) return undefined;
  return target.sense === 'at least' ? ratio >= target.bound : ratio <= target.bound;
}

export const targetText = (target: RatioTarget): string => `${target.sense === 'at least' ? '>=' : '<='} ${target.bound}x`;

export interface RatioInput {
  readonly measure: string;
  readonly ours: number;
  readonly reference: number;
  /** How the figures read in the table, e.g. `fmtInt`. */
  readonly format: (n: number) => string;
  /** Names the reference, e.g. "simulator". */
  readonly referenceName: string;
  readonly target: RatioTarget;
  /** A condition besides the ratio (e.g. no errors); false fails the comparison. */
  readonly alsoRequired?: boolean;
}

/** One summary row: the ratio, the target's text and whether it was met. */
export function ratioComparison(input: RatioInput): Comparison {
  const ratio = ratioOf(input.ours, input.reference);
  const met = meets(ratio, input.target);
  return {
    measure: input.measure,
    ours: input.format(input.ours),
    reference: `${input.referenceName} ${input.format(input.reference)}`,
    ratio,
    target: targetText(input.target),
    met: met === undefined ? undefined : met && (input.alsoRequired ?? true),
  };
}
