/**
 * What the bench learns about the functions of a local stack without touching local/: the
 * stack runs each execution environment in a `worker_threads` Worker, so this module replaces
 * the Worker class (before the stack makes any) with one that times every invocation from the
 * invoke message to its reply (what Lambda bills as duration), counts the bytes the function
 * writes to stdout and stderr (what CloudWatch Logs ingests), and keeps the environment the
 * stack gave it (the bench's in-process targets run the same handler against the same tables).
 *
 * With `countCalls`, each function's AWS SDK calls to DynamoDB, S3, SNS and SQS go through a
 * counting proxy of its own (its endpoint variables point there): DynamoDB requests get
 * `ReturnConsumedCapacity: TOTAL` added, so the proxy reads the capacity units DynamoDB Local
 * says each call consumed; the others are counted by operation. Off by default: the hop costs
 * time, and the timed sections run without it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';

export interface CallCount {
  calls: number;
  /** DynamoDB only: read and write capacity units reported as consumed (table and indexes). */
  readUnits: number;
  writeUnits: number;
  /** Request body bytes (what an S3 PutObject stores). */
  bytes: number;
}

export interface FunctionStats {
  invocations: number;
  errors: number;
  totalMs: number;
  /** Every invocation's duration, ms (up to MAX_DURATIONS). */
  durations: number[];
  logBytes: number;
  memoryMb: number;
  /** Calls by `service:Operation`, e.g. `dynamodb:GetItem`, `s3:PutObject`. */
  calls: Record<string, CallCount>;
}

const MAX_DURATIONS = 200_000;
const stats = new Map<string, FunctionStats>();
const environments = new Map<string, Record<string, string>>();

const statsOf = (name: string, memoryMb: number): FunctionStats => {
  let entry = stats.get(name);
  if (!entry) {
    entry = { invocations: 0, errors: 0, totalMs: 0, durations: [], logBytes: 0, memoryMb, calls: {} };
    stats.set(name, entry);
  }
  return entry;
};

export function functionStats(): Record<string, FunctionStats> {
  return Object.fromEntries(stats);
}

export function functionEnvironment(name: string): Record<string, string> | undefined {
  return environments.get(name);
}

export function resetStats(): void {
  for (const entry of stats.values()) {
    Object.assign(entry, { invocations: 0, errors: 0, totalMs: 0, durations: [], logBytes: 0, calls: {} });
  }
}

/** DynamoDB operations that accept ReturnConsumedCapacity. */
const CAPACITY_OPERATIONS = new Set([
  'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan',
  'BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems',
]);

type Service = 'dynamodb' | 's3' | 'sns' | 'sqs';
const ENDPOINT_VARIABLES: Record<Service, string> = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  s3: 'AWS_ENDPOINT_URL_S3',
  sns: 'AWS_ENDPOINT_URL_SNS',
  sqs: 'AWS_ENDPOINT_URL_SQS',
};

/** The operation of a request: the JSON protocols' X-Amz-Target, the query protocol's Action, S3's method and shape. */
function operationOf(service: Service, request: IncomingMessage, body: Buffer): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  if (service === 's3') {
    const url = new URL(request.url ?? '/', 'http://local');
    const method = request.method ?? 'GET';
    if (method === 'PUT' && request.headers['x-amz-copy-source']) return 'CopyObject';
    if (url.searchParams.has('list-type')) return 'ListObjectsV2';
    return { GET: 'GetObject', PUT: 'PutObject', HEAD: 'HeadObject', DELETE: 'DeleteObject', POST: 'PostObject' }[method] ?? method;
  }
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  return action ?? 'unknown';
}

function record(fn: FunctionStats, key: string, readUnits = 0, writeUnits = 0, bytes = 0): void {
  const entry = (fn.calls[key] ??= { calls: 0, readUnits: 0, writeUnits: 0, bytes: 0 });
  entry.calls += 1;
  entry.readUnits += readUnits;
  entry.writeUnits += writeUnits;
  entry.bytes += bytes;
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Read and write units of a response's ConsumedCapacity (one object, or a list for batches). */
export function unitsOf(operation: string, consumed: Capacity | readonly Capacity[] | undefined): { read: number; write: number } {
  const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed as Capacity];
  const writes = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/.test(operation);
  let read = 0;
  let write = 0;
  for (const c of list) {
    read += c.ReadCapacityUnits ?? 0;
    write += c.WriteCapacityUnits ?? 0;
    if (c.ReadCapacityUnits === undefined && c.WriteCapacityUnits === undefined) {
      if (writes) write += c.CapacityUnits ?? 0;
      else read += c.CapacityUnits ?? 0;
    }
  }
  return { read, write };
}

/** A proxy in front of `upstream` that counts `fn`'s calls to `service`; resolves with its URL. */
function countingProxy(service: Service, upstream: string, fn: FunctionStats): Promise<string> {
  const target = new URL(upstream);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      // A presigned URL the function signed, used by a client (the upload's PUT): counted apart.
      const presigned = new URL(req.url ?? '/', 'http://local').searchParams.has('X-Amz-Signature');
      const operation = `${presigned ? 'presigned ' : ''}${operationOf(service, req, body)}`;
      // The Host header stays the one the caller signed (SigV4 covers it); only the socket moves.
      const headers = { ...req.headers };
      const asks = service === 'dynamodb' && CAPACITY_OPERATIONS.has(operation);
      if (asks) {
        // DynamoDB Local does not check signatures, so the body can change under them.
        const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        parsed['ReturnConsumedCapacity'] = 'TOTAL';
        body = Buffer.from(JSON.stringify(parsed));
        headers['content-length'] = String(body.length);
      }
      const forward = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (upstreamRes) => {
          const parts: Buffer[] = [];
          upstreamRes.on('data', (c: Buffer) => parts.push(c));
          upstreamRes.on('end', () => {
            const answer = Buffer.concat(parts);
            if (asks && (upstreamRes.statusCode ?? 500) < 300) {
              const consumed = (JSON.parse(answer.toString('utf8')) as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
              const units = unitsOf(operation, consumed);
              record(fn, `${service}:${operation}`, units.read, units.write);
            } else {
              record(fn, `${service}:${operation}`, 0, 0, service === 's3' ? body.length : 0);
            }
            res.writeHead(upstreamRes.statusCode ?? 500, upstreamRes.headers);
            res.end(answer);
          });
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      forward.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    }),
  );
}

interface WorkerInfo {
  readonly functionName?: string;
  readonly memoryMb?: number;
}

/**
 * Replaces worker_threads' Worker. With `countCalls`, the proxies must exist before a Worker is
 * made (a constructor cannot wait), so `prepareProxies` starts them for the functions' names
 * once the upstream endpoints are known; until then calls go straight to the services.
 */
export function instrumentWorkers(options: { countCalls: boolean }): { prepareProxies: (names: readonly string[], upstream: Partial<Record<Service, string>>) => Promise<void> } {
  const proxies = new Map<string, Partial<Record<Service, string>>>();
  const Original = workerThreads.Worker;
  class TimedWorker extends Original {
    constructor(filename: string | URL, workerOptions?: workerThreads.WorkerOptions) {
      const data = (workerOptions?.workerData ?? {}) as WorkerInfo;
      const name = data.functionName;
      let env = workerOptions?.env as Record<string, string> | undefined;
      if (name && env && typeof env === 'object') {
        environments.set(name, { ...env });
        const routed = proxies.get(name);
        if (routed) {
          env = { ...env };
          for (const [service, url] of Object.entries(routed) as [Service, string][]) env[ENDPOINT_VARIABLES[service]] = url;
        }
      }
      super(filename, { ...workerOptions, ...(env ? { env } : {}) });
      if (!name) return;
      const fn = statsOf(name, data.memoryMb ?? 0);
      if (data.memoryMb) fn.memoryMb = data.memoryMb;
      const started = new Map<number, number>();
      const post = this.postMessage.bind(this);
      this.postMessage = (message: unknown, transfer?: readonly workerThreads.Transferable[]) => {
        const id = (message as { id?: unknown; requestId?: unknown }).id;
        if (typeof id === 'number' && typeof (message as { requestId?: unknown }).requestId === 'string') started.set(id, performance.now());
        post(message, transfer as workerThreads.Transferable[]);
      };
      this.on('message', (reply: { kind?: string; id?: number }) => {
        if ((reply.kind !== 'result' && reply.kind !== 'error') || typeof reply.id !== 'number') return;
        const at = started.get(reply.id);
        if (at === undefined) return;
        started.delete(reply.id);
        const ms = performance.now() - at;
        fn.invocations += 1;
        fn.totalMs += ms;
        if (reply.kind === 'error') fn.errors += 1;
        if (fn.durations.length < MAX_DURATIONS) fn.durations.push(ms);
      });
      const count = (chunk: Buffer | string) => {
        fn.logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      };
      this.stdout?.on('data', count);
      this.stderr?.on('data', count);
    }
  }
  (workerThreads as { Worker: typeof Original }).Worker = TimedWorker;
  syncBuiltinESMExports();
  return {
    async prepareProxies(names, upstream) {
      if (!options.countCalls) return;
      for (const name of names) {
        const fn = statsOf(name, 0);
        const routed: Partial<Record<Service, string>> = {};
        for (const [service, url] of Object.entries(upstream) as [Service, string][]) {
          if (url) routed[service] = await countingProxy(service, url, fn);
        }
        proxies.set(name, routed);
      }
    },
  };
}
