import { describe, expect, it } from 'vitest';
import { BAR_LABEL_WIDTH, barChart, escapeXml, lineChart, logTicks, niceTicks, shortNumber } from '../../../bench/lib/svg.js';
import { latencyDistributionChart, tailAxis } from '../../../bench/lib/charts.js';

const count = (text: string, part: string) => text.split(part).length - 1;

describe('niceTicks', () => {
  it('given a range, when ticked, then the ticks are round steps covering it', () => {
    expect(niceTicks(0, 97, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
  });

  it('given an empty range, when ticked, then gives the one value', () => {
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});

describe('logTicks and shortNumber', () => {
  it('given 4 to 650 ms, when ticked on a log axis, then gives the powers of ten around them', () => {
    expect(logTicks(4, 650)).toEqual([1, 10, 100, 1000]);
  });

  it('given large and small numbers, when shortened, then reads 1.2k, 3M, 0.25', () => {
    expect(shortNumber(1_200)).toBe('1.2k');
    expect(shortNumber(3_000_000)).toBe('3M');
    expect(shortNumber(0.25)).toBe('0.25');
  });
});

describe('lineChart', () => {
  it('given two series, when drawn, then gives one path and one legend entry per series', () => {
    const svg = lineChart({
      title: 'T',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'a', points: [{ x: 0, y: 1 }, { x: 1, y: 2 }] },
        { name: 'b', points: [{ x: 0, y: 3 }, { x: 1, y: 4 }] },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(count(svg, '<path ')).toBe(2);
    expect(count(svg, '<rect x=')).toBe(2);
  });

  it('given names with markup, when drawn, then the text is escaped', () => {
    const svg = lineChart({ title: 'a < b & "c"', xLabel: 'x', yLabel: 'y', series: [{ name: '<s>', points: [{ x: 1, y: 1 }] }] });
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(svg).not.toContain('<s>');
  });

  it('given a log scale and a zero value, when drawn, then the zero is left out rather than drawn at -infinity', () => {
    const svg = lineChart({ title: 'T', xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 'a', points: [{ x: 1, y: 0 }, { x: 2, y: 10 }, { x: 3, y: 100 }] }] });
    expect(svg).not.toContain('NaN');
    expect(svg).not.toContain('Infinity');
    expect(count(svg, '<circle ')).toBe(2);
  });

  it('given no data, when drawn, then says so', () => {
    expect(lineChart({ title: 'T', xLabel: 'x', yLabel: 'y', series: [] })).toContain('no data');
  });

  it('given the same input twice, when drawn, then the output is identical (charts diff only when figures do)', () => {
    const input = { title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [{ x: 1, y: 5 }, { x: 2, y: 7 }] }] };
    expect(lineChart(input)).toBe(lineChart(input));
  });
});

describe('barChart', () => {
  it('given groups of bars, when drawn, then the longest bar is the largest value', () => {
    const svg = barChart({ title: 'T', unit: 'ms', groups: [{ label: 'g', bars: [{ name: 'a', value: 10 }, { name: 'b', value: 40 }] }] });
    const widths = [...svg.matchAll(new RegExp(`<rect x="${BAR_LABEL_WIDTH}" y="\\d+" width="([\\d.]+)"`, 'g'))].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]).toBe((widths[1] ?? 0) / 4);
    expect(widths[1]).toBeGreaterThan(0);
  });
});

describe('latency distribution chart', () => {
  it('given p50 to p99.9, when placed on the tail axis, then each nine is one unit further', () => {
    expect(tailAxis(90)).toBeCloseTo(1, 9);
    expect(tailAxis(99)).toBeCloseTo(2, 9);
    expect(tailAxis(99.9)).toBeCloseTo(3, 9);
  });

  it('given two targets, when charted, then labels the percentiles and names the file', () => {
    const chart = latencyDistributionChart('x.svg', 'latency', [
      { name: 'local', distributionMs: [1, 2, 3, 4, 5] },
      { name: 'simulator', distributionMs: [10, 20, 30, 40, 50] },
    ]);
    expect(chart.file).toBe('x.svg');
    expect(count(chart.svg, '>p99.9<')).toBe(1);
    expect(count(chart.svg, '<path ')).toBe(2);
  });

  it('escapes ampersands once', () => {
    expect(escapeXml('a & b')).toBe('a &amp; b');
  });
});
