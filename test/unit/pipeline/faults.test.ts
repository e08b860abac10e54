import { describe, expect, it } from 'vitest';
import { createFaults, faultsFromEnv, fractionOf, parseFaultConfig } from '../../../local/faults/rules.js';

describe('fault injection', () => {
  it('given no PIPELINE_FAULTS, then nothing is active and nothing throws', () => {
    const faults = faultsFromEnv({});
    expect(faults.active).toBe(false);
    expect(() => faults.beforeStep('PROCESS', { fileId: 'f', fileName: 'x', receiveCount: 1 })).not.toThrow();
    expect(faults.throttlesDynamoDb('UpdateItemCommand', 1)).toBe(false);
  });

  it('given a throw-once rule for a name prefix, then only that file throws, only on its first receive', () => {
    const faults = createFaults(parseFaultConfig(JSON.stringify({ rules: [{ kind: 'step-error', step: 'THUMBNAIL', fileNamePrefix: 'once-', onReceiveCounts: [1] }] })));
    const on = (fileName: string, step: string, receiveCount: number) => () => faults.beforeStep(step, { fileId: 'f', fileName, receiveCount });
    expect(on('once-a.jpg', 'THUMBNAIL', 1)).toThrow(expect.objectContaining({ name: 'InjectedFault' }));
    expect(on('once-a.jpg', 'THUMBNAIL', 2)).not.toThrow();
    expect(on('once-a.jpg', 'PROCESS', 1)).not.toThrow();
    expect(on('other.jpg', 'THUMBNAIL', 1)).not.toThrow();
  });

  it('given a step-delay rule for a name prefix, then only that step of that file is held, for the delay', () => {
    const faults = createFaults(parseFaultConfig(JSON.stringify({ rules: [{ kind: 'step-delay', step: 'PROCESS', fileNamePrefix: 'slow-', delayMs: 1500 }] })));
    const delay = (fileName: string, step: string) => faults.stepDelayMs(step, { fileId: 'f', fileName, receiveCount: 1 });
    expect([delay('slow-a.jpg', 'PROCESS'), delay('slow-a.jpg', 'THUMBNAIL'), delay('a.jpg', 'PROCESS')]).toEqual([1500, 0, 0]);
    expect(() => parseFaultConfig(JSON.stringify({ rules: [{ kind: 'step-delay', step: 'PROCESS', delayMs: -1 }] }))).toThrow(/delayMs/);
  });

  it('given a fraction, then the same files are chosen every time, about that share of them', () => {
    const faults = createFaults({ seed: 's', rules: [{ kind: 'step-error', step: 'PROCESS', fraction: 0.1 }] });
    const ids = Array.from({ length: 2000 }, (_, i) => `file-${i}`);
    const chosen = ids.filter((fileId) => {
      try {
        faults.beforeStep('PROCESS', { fileId, fileName: 'x', receiveCount: 1 });
        return false;
      } catch {
        return true;
      }
    });
    expect(chosen.length).toBeGreaterThan(140);
    expect(chosen.length).toBeLessThan(260);
    expect(chosen.every((id) => fractionOf('s', id) < 0.1)).toBe(true);
  });

  it('given a throttle rule, then the first attempts of the named commands are throttled and later attempts are not', () => {
    const faults = createFaults({ rules: [{ kind: 'dynamodb-throttle', attempts: 2, operations: ['UpdateItemCommand'] }] });
    expect([1, 2, 3].map((attempt) => faults.throttlesDynamoDb('UpdateItemCommand', attempt))).toEqual([true, true, false]);
    expect(faults.throttlesDynamoDb('GetItemCommand', 1)).toBe(false);
  });

  it.each(['not json', '{"rules":[{"kind":"boom"}]}', '{"rules":[{"kind":"step-error"}]}', '{"rules":[{"kind":"step-error","step":"X","fraction":2}]}'])(
    'given the malformed configuration %s, then a ConfigurationError names the problem',
    (raw) => {
      expect(() => parseFaultConfig(raw)).toThrow(expect.objectContaining({ name: 'ConfigurationError' }));
    },
  );
});
