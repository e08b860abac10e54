/**
 * A lean fleet of real-time subscribers for the fan-out benchmark: real sockets, AppSync's
 * protocol (`connection_init` -> `connection_ack` -> `start` -> `start_ack`, see
 * test/support/realtime-client.ts) or none for the bare `ws` target. Data frames are not parsed:
 * the publish index is read after a marker in the `message` field, so the client costs as
 * little as possible next to the server it measures.
 */
import WebSocket from 'ws';
import { mapLimit } from './stats.js';

export const MARKER = 'bench:';
const MARKER_BYTES = Buffer.from(MARKER);

export interface SubscriberSpec {
  readonly url: string;
  readonly protocols: readonly string[];
  /** The `start` message to send after `connection_ack`; undefined for a bare socket. */
  readonly start: string | undefined;
}

export class SubscriberFleet {
  /** performance.now() at each publish's send, by publish index. */
  readonly sentAt: Float64Array;
  readonly latencies: Float64Array;
  delivered = 0;
  duplicates = 0;
  firstReceipt = Number.NaN;
  lastReceipt = Number.NaN;
  readonly #seen: Uint8Array;
  readonly #sockets: WebSocket[] = [];
  readonly #publishes: number;

  constructor(
    readonly count: number,
    publishes: number,
  ) {
    this.#publishes = publishes;
    this.sentAt = new Float64Array(publishes).fill(Number.NaN);
    this.latencies = new Float64Array(count * publishes);
    this.#seen = new Uint8Array(count * publishes);
  }

  /** Opens every subscriber (`concurrency` handshakes at a time); resolves when all are live. */
  async open(spec: (index: number) => SubscriberSpec, concurrency = 50): Promise<void> {
    await mapLimit(
      Array.from({ length: this.count }, (_, i) => i),
      concurrency,
      (index) => this.#openOne(index, spec(index)),
    );
  }

  #openOne(index: number, spec: SubscriberSpec): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(spec.url, [...spec.protocols], { perMessageDeflate: false });
      this.#sockets.push(socket);
      let live = spec.start === undefined;
      const fail = (why: string) => {
        socket.terminate();
        reject(new Error(`subscriber ${index}: ${why}`));
      };
      socket.once('error', (error) => fail(error.message));
      socket.once('open', () => {
        if (spec.start === undefined) resolve();
        else socket.send('{"type":"connection_init"}');
      });
      socket.on('message', (data: Buffer) => {
        if (live) {
          this.#receive(index, data);
          return;
        }
        const text = data.toString('utf8');
        if (text.includes('"connection_ack"')) socket.send(spec.start ?? '');
        else if (text.includes('"start_ack"')) {
          live = true;
          resolve();
        } else if (text.includes('"error"') || text.includes('"connection_error"')) fail(text);
      });
    });
  }

  /** Reads the publish index after the marker straight from the frame's bytes (no decoding). */
  #receive(index: number, data: Buffer): void {
    const at = data.indexOf(MARKER_BYTES);
    if (at < 0) return; // ka and the like
    const now = performance.now();
    let publish = 0;
    let digits = 0;
    for (let i = at + MARKER_BYTES.length; i < data.length; i += 1) {
      const c = data[i] ?? 0;
      if (c < 48 || c > 57) break;
      publish = publish * 10 + (c - 48);
      digits += 1;
    }
    if (digits === 0 || publish >= this.#publishes) return;
    const slot = index * this.#publishes + publish;
    if (this.#seen[slot]) {
      this.duplicates += 1;
      return;
    }
    this.#seen[slot] = 1;
    this.latencies[this.delivered] = now - (this.sentAt[publish] ?? now);
    this.delivered += 1;
    if (Number.isNaN(this.firstReceipt)) this.firstReceipt = now;
    this.lastReceipt = now;
  }

  /** Waits until every subscriber has every publish, or `timeoutMs` passes. */
  async drain(timeoutMs: number): Promise<void> {
    const expected = this.count * this.#publishes;
    const deadline = performance.now() + timeoutMs;
    while (this.delivered < expected && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    for (const socket of this.#sockets) socket.terminate();
  }
}
