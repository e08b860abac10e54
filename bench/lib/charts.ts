/** The report's charts, built from figures with the plain SVG of svg.ts. */
import type { Chart } from './report.js';
import { type Series, barChart, lineChart } from './svg.js';
import { LATENCY_PERCENTILES, percentile } from './stats.js';

/** Spreads the tail: p50 -> 0.3, p90 -> 1, p99 -> 2, p99.9 -> 3. */
export const tailAxis = (p: number): number => -Math.log10(1 - p / 100);

const percentileLabel = (p: number) => `p${p}`;

/** Latency at each percentile, one line per target, the tail spread out and y on a log scale. */
export function latencyDistributionChart(
  file: string,
  title: string,
  rows: readonly { readonly name: string; readonly distributionMs: readonly number[] }[],
  percentiles: readonly number[] = LATENCY_PERCENTILES,
): Chart {
  const series: Series[] = rows.map((r) => ({ name: r.name, points: percentiles.map((p, i) => ({ x: p, y: r.distributionMs[i] ?? Number.NaN })) }));
  const svg = lineChart({
    title,
    xLabel: 'percentile',
    yLabel: 'latency ms',
    series,
    xTicks: percentiles.map((p) => ({ value: p, label: percentileLabel(p) })),
    xTransform: tailAxis,
    logY: true,
  });
  return { file, title, svg };
}

/** The percentiles drawn from raw samples (fan-out latencies). */
export const FANOUT_PERCENTILES = [50, 75, 90, 95, 99, 99.9] as const;

export function sampleDistribution(samples: Float64Array | readonly number[]): number[] {
  return FANOUT_PERCENTILES.map((p) => percentile(samples, p));
}

/** A quantity over time or size, one line per series (pipeline progress, cost). */
export function seriesChart(file: string, title: string, xLabel: string, yLabel: string, series: readonly Series[]): Chart {
  return { file, title, svg: lineChart({ title, xLabel, yLabel, series }) };
}

export function barsChart(file: string, title: string, unit: string, groups: Parameters<typeof barChart>[0]['groups']): Chart {
  return { file, title, svg: barChart({ title, unit, groups }) };
}

/** Images (or any items) done against seconds since the start: one line per run, from each item's end time. */
export function progressChart(file: string, title: string, runs: readonly { readonly name: string; readonly endsS: readonly number[] }[]): Chart {
  const series: Series[] = runs.map((r) => {
    const sorted = [...r.endsS].sort((a, b) => a - b);
    return { name: r.name, points: [{ x: 0, y: 0 }, ...sorted.map((s, i) => ({ x: s, y: i + 1 }))] };
  });
  return seriesChart(file, title, 'seconds since the first image started', 'images done', series);
}
