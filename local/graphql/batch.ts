import { FieldError } from './errors.js';

/**
 * BatchInvoke for a direct Lambda resolver whose data source sets `maxBatchSize`: the calls for
 * one field made while a request completes a list are gathered and sent as arrays of at most
 * `maxBatchSize` events; the function answers with an array of the same length and order, each
 * item `{data, errorMessage?, errorType?}` (appsync-behaviour.md §2).
 */

interface Pending {
  readonly event: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

export type BatchInvoke = (events: readonly unknown[]) => Promise<unknown>;

export class BatchQueue {
  #pending: Pending[] = [];

  constructor(
    private readonly invoke: BatchInvoke,
    private readonly maxBatchSize: number,
  ) {}

  load(event: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) {
        // graphql-js completes a list's items within one turn of the event loop (their
        // promises settle as microtasks): dispatch once they have all asked.
        setImmediate(() => this.#flush());
      }
      this.#pending.push({ event, resolve, reject });
    });
  }

  #flush(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (let start = 0; start < pending.length; start += this.maxBatchSize) {
      void this.#dispatch(pending.slice(start, start + this.maxBatchSize));
    }
  }

  async #dispatch(batch: readonly Pending[]): Promise<void> {
    let results: unknown;
    try {
      results = await this.invoke(batch.map((p) => p.event));
    } catch (error) {
      for (const p of batch) p.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!Array.isArray(results) || results.length !== batch.length) {
      const got = Array.isArray(results) ? `${results.length} items` : typeof results;
      const error = new FieldError(
        'Lambda:Unhandled',
        `BatchInvoke of ${batch.length} events must return an array of ${batch.length} items; got ${got}`,
      );
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, index) => {
      const item = (results as unknown[])[index] as { data?: unknown; errorMessage?: unknown; errorType?: unknown } | null | undefined;
      if (item && typeof item === 'object' && typeof item.errorMessage === 'string') {
        p.reject(new FieldError(typeof item.errorType === 'string' ? item.errorType : 'Lambda:Unhandled', item.errorMessage, item.data ?? null));
      } else {
        p.resolve(item && typeof item === 'object' && 'data' in item ? (item.data ?? null) : null);
      }
    });
  }
}
