import { describe, expect, it } from 'vitest';
import { renderDocument } from '../../../bench/lib/document.js';
import type { RunRecord } from '../../../bench/lib/output.js';
import type { SectionReport } from '../../../bench/lib/report.js';

const record: RunRecord = {
  commit: 'abcdef0123456789',
  dirty: false,
  date: '2026-12-07T00:00:00Z',
  quick: false,
  seconds: 10,
  machine: { cpus: 2, cpuModel: 'test', memoryGiB: 1, node: 'v22', loadAverage: '0 0 0', packages: {} },
  failures: [],
  sections: {},
};

const short: SectionReport = {
  name: 'data',
  title: 'Data paths',
  comparisons: [{ measure: 'file(id) req/s vs SDK', ours: '1', reference: 'SDK 2', ratio: 0.5, target: '>= 0.8x', met: false }],
  details: '',
};

describe('renderDocument: what holds the short figures back', () => {
  it('given two sections that explain one short section, when rendered, then both explanations are listed in order', () => {
    const profile: SectionReport = { name: 'profile', title: 'Profile', comparisons: [], details: '', evidence: new Map([['data', 'from the profile']]) };
    const isolation: SectionReport = { name: 'isolation', title: 'Isolation', comparisons: [], details: '', evidence: new Map([['data', 'from the environments']]) };
    const text = renderDocument(record, [short, isolation, profile]);
    expect(text).toContain('**Data paths** (file(id) req/s vs SDK):\n- from the environments\n- from the profile\n');
  });

  it('given no section explains it, when rendered, then the report says so', () => {
    expect(renderDocument(record, [short])).toContain('- No profile of this load in this run');
  });
});
