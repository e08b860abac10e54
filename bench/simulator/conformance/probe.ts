/** One probe per row of docs/conformance.md that the simulator can be asked about. */
import type { Endpoint } from './client.js';

export interface ProbeContext {
  readonly endpoint: Endpoint;
  /** Lambda invocations since the last call: data source and, for BatchInvoke, the batch size. */
  invocations(): Promise<{ dataSource: string; batchSize: number | null }[]>;
  /** True once the simulator's process has exited (a probe crashed it). */
  simulatorExited(): boolean;
  /** The first error line the simulator's process wrote to stderr, if any. */
  simulatorError(): string | undefined;
}

export interface Probe {
  /** `<table>.<row>`; docs/conformance.md rows are matched by it. */
  readonly id: string;
  readonly behaviour: string;
  /** Runs against a running simulator; returns a short phrase of what was observed. */
  readonly run?: (context: ProbeContext) => Promise<string>;
  /** Runs without the served simulator (an init() of its own, in this process). */
  readonly runInProcess?: () => Promise<string>;
  /** Why it cannot be asked (and then neither run is given). */
  readonly cannotRun?: string;
}

export type ProbeStatus = 'measured' | 'cannot run' | 'error';

export interface ProbeResult {
  readonly id: string;
  readonly behaviour: string;
  readonly status: ProbeStatus;
  readonly observation: string;
  readonly ms?: number;
}

/** A GraphQL error reduced to its keys and the values a row is about. */
export const errorShape = (error: Record<string, unknown> | undefined): string =>
  error === undefined
    ? 'no error'
    : `{${Object.keys(error).sort().join(', ')}} errorType ${JSON.stringify(error['errorType'])}, message ${JSON.stringify(error['message'])}`;

export const short = (value: unknown, max = 160): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > max ? `${text.slice(0, max)}…` : text;
};

export const unique = (id: string) => `${id}-${Math.random().toString(36).slice(2, 8)}`;
