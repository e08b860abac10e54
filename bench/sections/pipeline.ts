/**
 * 3. Pipeline: N uploads of real photographs through `createUpload` and the signed PUT, timed
 * from the first PUT to the last READY event on the uploader's `onFileEvent` subscription;
 * against the same image work done by sharp in one process.
 */
import WebSocket from 'ws';
import type { BenchContext } from '../lib/context.js';
import { app } from '../lib/app.js';
import { userPoolToken } from '../lib/auth.js';
import { pipelineImageWork } from '../lib/image-work.js';
import { type Photo, loadPhotos } from '../lib/photos.js';
import { type Comparison, type SectionReport, fmtInt, fmtMs, markdownTable } from '../lib/report.js';
import { mapLimit, max, percentile } from '../lib/stats.js';

const CREATE_UPLOAD = `mutation CreateUpload($input: CreateUploadInput!) {
  createUpload(input: $input) { file { id } uploadUrl uploadHeaders }
}`;
const ON_FILE_EVENT = 'subscription OnFileEvent { onFileEvent { fileId owner status step message at } }';

/** Give up when no upload has ended for this long. */
const STALL_MS = 60_000;

interface Ticket {
  readonly file: { readonly id: string };
  readonly uploadUrl: string;
  readonly uploadHeaders: string | null;
}

interface PipelineRun {
  readonly images: number;
  readonly ready: number;
  readonly failed: readonly string[];
  readonly seconds: number;
  readonly perImageP50: number;
  readonly perImageMax: number;
}

/** One socket watching every event of the uploader's files (AppSync's protocol). */
async function watchEvents(url: string, host: string, token: string, onEvent: (event: { fileId: string; status: string; message: string | null }) => void): Promise<WebSocket> {
  const header = Buffer.from(JSON.stringify({ host, Authorization: token })).toString('base64url');
  const socket = new WebSocket(url, ['graphql-ws', `header-${header}`]);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send('{"type":"connection_init"}'));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { type: string; payload?: { data?: { onFileEvent?: { fileId: string; status: string; message: string | null } } } };
      if (message.type === 'connection_ack') {
        const data = JSON.stringify({ query: ON_FILE_EVENT, variables: {} });
        socket.send(JSON.stringify({ id: 'all', type: 'start', payload: { data, extensions: { authorization: { host, Authorization: token } } } }));
      } else if (message.type === 'start_ack') resolve();
      else if (message.type === 'data' && message.payload?.data?.onFileEvent) onEvent(message.payload.data.onFileEvent);
      else if (message.type === 'error' || message.type === 'connection_error') reject(new Error(JSON.stringify(message)));
    });
  });
  return socket;
}

async function graphqlCall<T>(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL call failed: ${JSON.stringify(body)}`);
  return body.data;
}

async function runThroughStack(ctx: BenchContext, photos: readonly Photo[]): Promise<PipelineRun> {
  const { uploads, putsInFlight } = ctx.options.pipeline;
  const stack = await ctx.localStack();
  const { token } = await userPoolToken(stack.info, 'bench-pipeline');
  const putAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  const failed: string[] = [];
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const socket = await watchEvents(stack.info.realtimeUrl, stack.info.host, token, (event) => {
    if (event.status !== 'READY' && event.status !== 'FAILED') return;
    if (doneAt.has(event.fileId)) return;
    doneAt.set(event.fileId, performance.now());
    if (event.status === 'FAILED') failed.push(`${event.fileId}: ${event.message ?? ''}`);
    if (doneAt.size >= uploads) settle();
  });
  try {
    const work = Array.from({ length: uploads }, (_, i) => photos[i % photos.length] as Photo);
    const tickets = await mapLimit(work, 8, (photo) =>
      graphqlCall<{ createUpload: Ticket }>(stack.info.graphqlUrl, token, CREATE_UPLOAD, {
        input: { fileName: photo.name.split('/').pop() ?? 'photo.jpg', contentType: 'image/jpeg', size: photo.bytes.length },
      }).then((d) => d.createUpload),
    );
    ctx.log(`  ${uploads} tickets; uploading`);
    const first = performance.now();
    await mapLimit(tickets, putsInFlight, async (ticket, i) => {
      const headers = JSON.parse(ticket.uploadHeaders ?? '{}') as Record<string, string>;
      putAt.set(ticket.file.id, performance.now());
      const response = await fetch(ticket.uploadUrl, { method: 'PUT', headers, body: work[i]?.bytes ?? Buffer.alloc(0) });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`PUT ${i}: ${response.status}`);
    });
    // Wait for every upload to end, but give up once no upload has ended for a minute.
    let stalled = false;
    let seen = -1;
    let progressAt = performance.now();
    const watchdog = setInterval(() => {
      if (doneAt.size !== seen) {
        seen = doneAt.size;
        progressAt = performance.now();
      } else if (performance.now() - progressAt > STALL_MS) {
        stalled = true;
        settle();
      }
    }, 250);
    await settled;
    clearInterval(watchdog);
    if (stalled) ctx.log(`  no upload ended for ${STALL_MS / 1000} s; ${doneAt.size}/${uploads} ended`);
    const ends = [...doneAt.values()];
    const perImage = [...doneAt.entries()].map(([id, at]) => at - (putAt.get(id) ?? at));
    return {
      images: uploads,
      ready: doneAt.size - failed.length,
      failed,
      seconds: (max(ends) - first) / 1000,
      perImageP50: percentile(perImage, 50),
      perImageMax: max(perImage),
    };
  } finally {
    socket.terminate();
  }
}

async function runBareSharp(ctx: BenchContext, photos: readonly Photo[], work: (bytes: Buffer) => Promise<void>): Promise<PipelineRun> {
  const { uploads, sharpInFlight } = ctx.options.pipeline;
  const items = Array.from({ length: uploads }, (_, i) => photos[i % photos.length] as Photo);
  await work(items[0]!.bytes); // load libvips and its codecs before timing
  const first = performance.now();
  const perImage = await mapLimit(items, sharpInFlight, async (photo) => {
    const started = performance.now();
    await work(photo.bytes);
    return performance.now() - started;
  });
  return {
    images: uploads,
    ready: uploads,
    failed: [],
    seconds: (performance.now() - first) / 1000,
    perImageP50: percentile(perImage, 50),
    perImageMax: max(perImage),
  };
}

export async function runPipeline(ctx: BenchContext): Promise<SectionReport> {
  const { photos, source } = await loadPhotos(ctx.log);
  ctx.log(`Pipeline: ${source}`);
  const work = pipelineImageWork((await app()).topology);
  ctx.log('Pipeline: bare sharp');
  const bare = await runBareSharp(ctx, photos, (bytes) => work.run(bytes));
  ctx.log(`  bare sharp: ${(bare.images / bare.seconds).toFixed(1)} images/s`);
  ctx.log('Pipeline: local stack');
  const local = await runThroughStack(ctx, photos);
  ctx.log(`  local: ${(local.ready / local.seconds).toFixed(1)} images/s, ${local.failed.length} failed`);

  const ours = local.ready / local.seconds;
  const reference = bare.images / bare.seconds;
  const complete = local.ready === local.images;
  const comparisons: Comparison[] = [
    {
      measure: 'images/s, first PUT to last READY',
      ours: `${ours.toFixed(1)}${complete ? '' : ` (${local.ready}/${local.images} READY)`}`,
      reference: `bare sharp ${reference.toFixed(1)}`,
      ratio: ours / reference,
      target: '>= 0.8x',
      met: complete && ours / reference >= 0.8,
    },
  ];
  const { putsInFlight, sharpInFlight } = ctx.options.pipeline;
  const details = [
    `Images: ${source}. Each upload is a \`createUpload\` (user pool) and then the signed PUT (${putsInFlight} in flight); ` +
      `the clock runs from the first PUT to the last READY event on the uploader's \`onFileEvent\` subscription. ` +
      `Bare sharp: ${work.description}; ${sharpInFlight} images in flight, in the harness process.`,
    '',
    markdownTable(
      ['target', 'images', 'READY', 'FAILED', 'seconds', 'images/s', 'per image p50 ms', 'per image max ms'],
      [
        ['local stack', fmtInt(local.images), fmtInt(local.ready), fmtInt(local.failed.length), local.seconds.toFixed(1), ours.toFixed(1), fmtMs(local.perImageP50), fmtMs(local.perImageMax)],
        ['bare sharp', fmtInt(bare.images), fmtInt(bare.ready), '0', bare.seconds.toFixed(1), reference.toFixed(1), fmtMs(bare.perImageP50), fmtMs(bare.perImageMax)],
      ],
    ),
    ...(local.failed.length > 0 ? ['', `Failed uploads: ${local.failed.slice(0, 5).join('; ')}`] : []),
  ].join('\n');
  return { name: 'pipeline', title: 'Pipeline', comparisons, details };
}
