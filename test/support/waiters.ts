/**
 * The waiting half of the raw real-time clients (test/support/realtime-client.ts,
 * test/conformance/support/raw-client.ts and the simulator's probe client): their socket handlers
 * call `wake()` on every frame and on close, so a wait ends as soon as what it waits for arrives
 * instead of at the next poll.
 */
export interface UntilOptions {
  readonly timeoutMs: number;
  /** The longest sleep between two checks of the probe, in case no frame wakes the wait. */
  readonly pollMs: number;
  /** Whether waiting is pointless already (the socket has closed). */
  readonly stopped: () => boolean;
  /** The error to reject with, built when the wait gives up so it can say what had arrived. */
  readonly failure: () => Error;
}

export class Waiters {
  readonly #waiters = new Set<() => void>();

  /** Lets every pending `until` check its probe again. */
  wake(): void {
    for (const wake of this.#waiters) wake();
  }

  /** Resolves with the first value `probe` returns; rejects once time runs out or `stopped()` holds with nothing found. */
  async until<T>(probe: () => T | undefined, options: UntilOptions): Promise<T> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline || options.stopped()) throw options.failure();
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(options.pollMs, Math.max(1, deadline - Date.now())));
        this.#waiters.add(wake);
      });
    }
  }
}
