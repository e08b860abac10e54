/**
 * The client side of a hostile document over HTTP, in a fresh process: the harness that runs
 * the whole benchmark holds hundreds of megabytes by the time this section runs (photographs,
 * a thousand sockets' worth of garbage), and its collections landed inside the timed requests
 * (a 3.2 MiB document measured 13 ms median there against 2 ms from a fresh client). Posts
 * `--reps` documents of one kind and size, each on a connection of its own, after benign
 * requests that warm this client's own code; prints one JSON line with the times, the last
 * answer and the measured loop's window on the profile clock.
 */
import { once } from 'node:events';
import { Agent, type ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { profileClockUs } from '../lib/cpuprofile.js';
import { type HostileKind, hostileDocument } from '../lib/hostile-docs.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'api-key': { type: 'string' },
    kind: { type: 'string' },
    size: { type: 'string' },
    reps: { type: 'string', default: '9' },
    'warm-up': { type: 'string', default: '30' },
  },
});
const url = new URL(values.url ?? '');
const headers = { 'content-type': 'application/json', 'x-api-key': values['api-key'] ?? '' };

interface HttpAnswer {
  readonly status: number;
  readonly text: string;
  /** From the first byte written (connecting included) to the end of the answer. */
  readonly ms: number;
}

/**
 * One POST with node:http on a (keep-alive) connection of its own, timed to the end of the answer. A server
 * may answer (413) before the body is all sent; fetch (undici) shows no response until it has
 * written the whole body, which for a 3 MiB body times the client's upload, not the server's
 * rejection. The body goes in parts of 256 KiB, and once answered the client stops sending, as
 * curl and browsers do, rather than hand the server megabytes to drain while the next request
 * is timed.
 */
function post(body: Buffer): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Keep-alive, as browsers and fetch ask: the server answers a body over its limit at once and
    // drains the rest (on a connection that closes after the answer it reads the body first).
    const agent = new Agent({ keepAlive: true });
    let answer: HttpAnswer | undefined;
    const started = performance.now();
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        answer = { status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started };
        if (!req.writableFinished) req.destroy();
      });
    });
    req.on('close', () => {
      agent.destroy();
      if (answer) resolve(answer);
      else reject(new Error('the connection closed before an answer'));
    });
    // An error after the answer (the server closing while the body is still being sent) changes nothing.
    req.on('error', (error) => {
      if (!answer) reject(error);
    });
    void sendBody(req, body, () => answer !== undefined);
  });
}

/** Writes the body in parts, waiting for the socket between them, and stops once answered. */
async function sendBody(req: ClientRequest, body: Buffer, answered: () => boolean): Promise<void> {
  const PART = 256 * 1024;
  for (let offset = 0; offset < body.length && !answered() && !req.destroyed; offset += PART) {
    const part = body.subarray(offset, Math.min(offset + PART, body.length));
    if (offset + PART >= body.length) {
      req.end(part);
      return;
    }
    if (!req.write(part)) await Promise.race([once(req, 'drain'), once(req, 'close')]);
  }
}

const warmUp = Number(values['warm-up']);
for (let i = 0; i < warmUp; i += 1) await post(Buffer.from(JSON.stringify({ query: `# warm ${i}\nquery { uploadPolicy { maxBytes } }` })));

// Encoded before the clock starts: the client's own JSON and UTF-8 work is not the server's.
const reps = Number(values.reps);
const bodies = Array.from({ length: reps }, (_, i) =>
  Buffer.from(JSON.stringify({ query: hostileDocument(values.kind as HostileKind, Number(values.size), `http ${i} ${Date.now()}`) })),
);
const times: number[] = [];
let last: HttpAnswer | { error: string } = { error: 'no request' };
const window = { startUs: profileClockUs(), endUs: 0 };
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
for (const body of bodies) {
  // The encoded documents left megabytes of garbage: collected here, not inside a timed request.
  gc();
  const started = performance.now();
  try {
    last = await post(body);
    times.push(last.ms);
  } catch (error) {
    // A reset connection is no answer: the client cannot tell a refusal from a crash.
    times.push(performance.now() - started);
    last = { error: String((error as { code?: string }).code ?? error) };
  }
}
window.endUs = profileClockUs();
console.log(JSON.stringify({ times, last, documentBytes: bodies[0]?.length ?? 0, window }));
