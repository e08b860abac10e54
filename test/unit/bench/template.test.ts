import { describe, expect, it } from 'vitest';
import { fill } from '../../../bench/lib/template.js';

describe('fill', () => {
  it('given slots, when filled, then every {{name}} is replaced, repeats included', () => {
    expect(fill('{{a}} and {{ b }} and {{a}}', { a: 1, b: 'two' })).toBe('1 and two and 1');
  });

  it('given a slot with no value, when filled, then fails naming it', () => {
    expect(() => fill('{{a}} {{missing}}', { a: 1 })).toThrow('{{missing}}');
  });

  it('given a value with no slot, when filled, then fails naming it (a figure the prose never shows)', () => {
    expect(() => fill('{{a}}', { a: 1, orphan: 2 })).toThrow('orphan');
  });
});
