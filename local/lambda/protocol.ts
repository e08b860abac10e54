/** Messages between the local Lambda runtime and its worker threads. */
import type { FaultConfig } from '../faults/rules.js';

export interface WorkerData {
  readonly bundlePath: string;
  readonly entry: string;
  readonly handlerName: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly memoryMb: number;
  /** Faults the worker applies around the handler (local/faults/host.ts): tests only. */
  readonly faults?: FaultConfig;
}

export interface InvokeMessage {
  readonly id: number;
  readonly requestId: string;
  readonly event: unknown;
  /** Epoch milliseconds when the invocation times out. */
  readonly deadline: number;
}

export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-error'; readonly error: FunctionErrorPayload }
  | { readonly kind: 'result'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: FunctionErrorPayload };
