/**
 * 3. Pipeline: N uploads of real photographs through `createUpload` and the signed PUT, timed
 * from the first PUT to the last READY event on the uploader's `onFileEvent` subscription;
 * against the same image work done by sharp in one process, half before the local run and half after.
 */
import { Agent, request } from 'node:http';
import { basename, extname } from 'node:path';
import WebSocket from 'ws';
import type { BenchContext } from '../lib/context.js';
import type { Target } from '../lib/child.js';
import type { LocalStackInfo } from '../lib/targets.js';
import { app } from '../lib/app.js';
import { userPoolToken } from '../lib/auth.js';
import { stackParts } from '../lib/cpu-parts.js';
import { type TreeUsage, mergeUsage, sampleTree } from '../lib/cpu-sampler.js';
import { pipelineImageWork } from '../lib/image-work.js';
import { type Photo, loadPhotos } from '../lib/photos.js';
import { type Comparison, type SectionReport, chartLink, fmtInt, fmtMs, markdownTable } from '../lib/report.js';
import { progressChart } from '../lib/charts.js';
import { renderTemplate } from '../lib/template.js';
import type { FunctionSpec } from '../../local/cdk/topology.js';
import { mapLimit, max, percentile } from '../lib/stats.js';
import { OPERATIONS } from '../lib/operations.js';


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
  /** Seconds from the first PUT (first image started, for bare sharp) at which each image ended, sorted. */
  readonly endsS: readonly number[];
  /** CPU of the process tree that did the work, over the timed window. */
  readonly usage: TreeUsage;
}

/** One socket watching every event of the uploader's files (AppSync's protocol). */
export async function watchEvents(url: string, host: string, token: string, onEvent: (event: { fileId: string; status: string; message: string | null }) => void): Promise<WebSocket> {
  const header = Buffer.from(JSON.stringify({ host, Authorization: token })).toString('base64url');
  const socket = new WebSocket(url, ['graphql-ws', `header-${header}`]);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send('{"type":"connection_init"}'));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { type: string; payload?: { data?: { onFileEvent?: { fileId: string; status: string; message: string | null } } } };
      if (message.type === 'connection_ack') {
        const data = JSON.stringify({ query: OPERATIONS.onFileEvent, variables: {} });
        socket.send(JSON.stringify({ id: 'all', type: 'start', payload: { data, extensions: { authorization: { host, Authorization: token } } } }));
      } else if (message.type === 'start_ack') resolve();
      else if (message.type === 'data' && message.payload?.data?.onFileEvent) onEvent(message.payload.data.onFileEvent);
      else if (message.type === 'error' || message.type === 'connection_error') reject(new Error(JSON.stringify(message)));
    });
  });
  return socket;
}

/**
 * The client's PUT, with node:http: the harness shares the 2 cores with the stack, and fetch
 * (undici) spends about twice node:http's CPU on a 4 MB body (measured: 6 against 2.4 ms).
 */
const uploadAgent = new Agent({ keepAlive: true });
export function put(url: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', agent: uploadAgent, headers: { ...headers, 'content-length': String(body.length) } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function graphqlCall<T>(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL call failed: ${JSON.stringify(body)}`);
  return body.data;
}

/**
 * The local run: `warmUploads` untimed uploads (every execution environment started and its code
 * hot), then `uploads` timed ones, with the stack's CPU sampled over the timed window.
 */
export async function runThroughStack(ctx: Pick<BenchContext, 'options' | 'log'>, stack: Target<LocalStackInfo>, photos: readonly Photo[]): Promise<PipelineRun> {
  const { uploads, putsInFlight, warmUploads } = ctx.options.pipeline;
  // Several per PUT in flight: every environment the timed run uses starts and gets hot (V8 optimizes its code).
  await uploadAll(ctx, stack, warmUpPhotos(photos, warmUploads), putsInFlight, 'warm-up');
  const sampler = await sampleTree(stack.pid);
  const run = await uploadAll(ctx, stack, timedPhotos(photos, uploads), putsInFlight, 'timed');
  return { ...run, usage: await sampler.stop() };
}

async function uploadAll(
  ctx: Pick<BenchContext, 'log'>,
  stack: Target<LocalStackInfo>,
  work: readonly Photo[],
  putsInFlight: number,
  label: string,
): Promise<Omit<PipelineRun, 'usage'>> {
  const uploads = work.length;
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
    const tickets = await mapLimit(work, 8, (photo) =>
      graphqlCall<{ createUpload: Ticket }>(stack.info.graphqlUrl, token, OPERATIONS.createUpload, {
        input: { fileName: photo.name.split('/').pop() ?? 'photo.jpg', contentType: 'image/jpeg', size: photo.bytes.length },
      }).then((d) => d.createUpload),
    );
    ctx.log(`  ${label}: ${uploads} tickets; uploading`);
    const first = performance.now();
    await mapLimit(tickets, putsInFlight, async (ticket, i) => {
      const headers = JSON.parse(ticket.uploadHeaders ?? '{}') as Record<string, string>;
      putAt.set(ticket.file.id, performance.now());
      const status = await put(ticket.uploadUrl, headers, work[i]?.bytes ?? Buffer.alloc(0));
      if (status !== 200) throw new Error(`PUT ${i}: ${status}`);
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
      endsS: ends.map((at) => (at - first) / 1000).sort((a, b) => a - b),
    };
  } finally {
    socket.terminate();
  }
}

/** The untimed images before each run, from the end of the list (the timed runs start at its head). */
const warmUpPhotos = (photos: readonly Photo[], count: number): Photo[] =>
  Array.from({ length: count }, (_, i) => photos[photos.length - 1 - (i % photos.length)] as Photo);

/** The timed images, the same for the local run and bare sharp: the photographs in turn from the head of the list. */
const timedPhotos = (photos: readonly Photo[], count: number): Photo[] =>
  Array.from({ length: count }, (_, i) => photos[i % photos.length] as Photo);

interface BarePart {
  readonly seconds: number;
  readonly perImage: readonly number[];
  /** Seconds from the part's start at which each image ended. */
  readonly endsS: readonly number[];
  readonly usage: TreeUsage;
}

/** One timed part of the bare sharp reference: `items`, `sharpInFlight` at a time. */
async function runBareSharp(ctx: BenchContext, items: readonly Photo[], work: (bytes: Buffer) => Promise<void>): Promise<BarePart> {
  const sampler = await sampleTree(process.pid);
  const first = performance.now();
  const endsS: number[] = [];
  const perImage = await mapLimit(items, ctx.options.pipeline.sharpInFlight, async (photo) => {
    const started = performance.now();
    await work(photo.bytes);
    endsS.push((performance.now() - first) / 1000);
    return performance.now() - started;
  });
  const usage = await sampler.stop();
  return { usage, seconds: (performance.now() - first) / 1000, perImage, endsS };
}

/** The parts as one run: their images over their summed seconds, per-image times and CPU pooled. */
function combineBare(parts: readonly BarePart[]): PipelineRun {
  const perImage = parts.flatMap((p) => p.perImage);
  // The parts laid end to end, as their seconds are summed.
  let offset = 0;
  const endsS: number[] = [];
  for (const p of parts) {
    endsS.push(...p.endsS.map((s) => s + offset));
    offset += p.seconds;
  }
  return {
    endsS: endsS.sort((a, b) => a - b),
    images: perImage.length,
    ready: perImage.length,
    failed: [],
    seconds: parts.reduce((sum, p) => sum + p.seconds, 0),
    perImageP50: percentile(perImage, 50),
    perImageMax: max(perImage),
    usage: mergeUsage(parts.map((p) => p.usage)),
  };
}

const imagesPerSecond = (part: BarePart) => part.perImage.length / part.seconds;

/** CPU ms per image of each part, over the timed window. */
interface Breakdown {
  readonly rows: readonly { readonly part: string; readonly msPerImage: number }[];
  readonly totalMsPerImage: number;
}

const IMAGE_THREADS = 'libvips worker';

/**
 * The stack's CPU by part. Its process holds the main thread (GraphQL, real time, SNS/SQS,
 * the local S3), one thread per execution environment named after its function's
 * entry, libvips' threads, and the rest (libuv's pool, where sharp's calls and the file I/O run,
 * and V8's helpers); DynamoDB Local is a child process.
 */
function stackBreakdown(usage: TreeUsage, images: number, functionNames: ReadonlySet<string>): Breakdown {
  const parts = stackParts(usage, functionNames, {
    main: 'stack main thread (GraphQL, real time, SNS/SQS, S3)',
    other: 'other stack threads (libuv pool: sharp calls, file I/O; V8 GC and compiler; ended threads)',
    threads: { [IMAGE_THREADS]: 'libvips threads' },
  });
  const rows = [...parts].map(([part, ms]) => ({ part, msPerImage: ms / images })).filter((r) => r.msPerImage >= 0.5).sort((a, b) => b.msPerImage - a.msPerImage);
  return { rows, totalMsPerImage: rows.reduce((sum, r) => sum + r.msPerImage, 0) };
}

function bareBreakdown(usage: TreeUsage, images: number): Breakdown {
  const root = usage.processes.find((p) => p.root);
  const main = usage.rootThreads.find((t) => t.main)?.ms ?? 0;
  const vips = usage.rootThreads.filter((t) => t.comm === IMAGE_THREADS).reduce((sum, t) => sum + t.ms, 0);
  const rows = [
    { part: 'libvips threads', msPerImage: vips / images },
    { part: 'other threads (libuv pool: sharp calls; V8 GC; ended threads)', msPerImage: Math.max(0, (root?.ms ?? 0) - main - vips) / images },
    { part: 'main thread (sha256, sharp bookkeeping)', msPerImage: main / images },
  ];
  return { rows, totalMsPerImage: (root?.ms ?? 0) / images };
}

/** How busy the machine was during the run, and how much of that was not this benchmark. */
function machineLoad(usage: TreeUsage, treeMs: number) {
  const capacityMs = usage.wallMs * usage.cores;
  const idleShare = Math.max(0, 1 - usage.machineBusyMs / capacityMs);
  const othersShare = Math.max(0, (usage.machineBusyMs - treeMs) / capacityMs);
  // Idle gaps: stretches in which at least half a core sat idle (machine-wide) while uploads were pending.
  const gaps = usage.intervals.filter((i) => i.machineCores <= usage.cores - 0.5);
  const gapMs = gaps.reduce((sum, i) => sum + i.ms, 0);
  return { idleShare, othersShare, gapShare: usage.wallMs > 0 ? gapMs / usage.wallMs : 0 };
}

const pct = (share: number) => `${(share * 100).toFixed(0)}%`;

export async function runPipeline(ctx: BenchContext): Promise<SectionReport> {
  const { photos, source } = await loadPhotos(ctx.log);
  ctx.log(`Pipeline: ${source}`);
  const work = pipelineImageWork((await app()).topology);
  // The machine's speed drifts by up to 2x within minutes, so bare sharp runs half its images
  // before the local run and half after, and the reference spans the same stretch of time.
  const items = timedPhotos(photos, ctx.options.pipeline.uploads);
  const half = Math.ceil(items.length / 2);
  ctx.log(`Pipeline: bare sharp, first half (${half} images)`);
  // Untimed, as many images as the local run's warm-up: libvips and its codecs loaded, the JS hot.
  await mapLimit(warmUpPhotos(photos, ctx.options.pipeline.warmUploads), ctx.options.pipeline.sharpInFlight, (photo) => work.run(photo.bytes));
  const bareBefore = await runBareSharp(ctx, items.slice(0, half), (bytes) => work.run(bytes));
  ctx.log(`  bare sharp, first half: ${imagesPerSecond(bareBefore).toFixed(1)} images/s`);
  ctx.log('Pipeline: local stack');
  const local = await runThroughStack(ctx, await ctx.localStack(), photos);
  ctx.log(`  local: ${(local.ready / local.seconds).toFixed(1)} images/s, ${local.failed.length} failed`);
  ctx.log(`Pipeline: bare sharp, second half (${items.length - half} images)`);
  const bareAfter = await runBareSharp(ctx, items.slice(half), (bytes) => work.run(bytes));
  ctx.log(`  bare sharp, second half: ${imagesPerSecond(bareAfter).toFixed(1)} images/s`);
  const bare = combineBare([bareBefore, bareAfter]);
  ctx.log(`  bare sharp, both halves: ${(bare.images / bare.seconds).toFixed(1)} images/s`);
  const functionNames = new Set([...(await app()).topology.functions.values()].map((fn: FunctionSpec) => basename(fn.entry, extname(fn.entry)).slice(0, 15)));
  const localCpu = stackBreakdown(local.usage, local.images, functionNames);
  const bareCpu = bareBreakdown(bare.usage, bare.images);
  const localLoad = machineLoad(local.usage, localCpu.totalMsPerImage * local.images);
  const bareLoad = machineLoad(bare.usage, bareCpu.totalMsPerImage * bare.images);

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
  const chart = progressChart('pipeline-progress.svg', `Images done over time: local stack (${putsInFlight} PUTs in flight) and bare sharp (both halves end to end)`, [
    { name: 'local stack', endsS: local.endsS },
    { name: 'bare sharp', endsS: bare.endsS },
  ]);
  const details = renderTemplate('pipeline', {
    source,
    putsInFlight,
    sharpInFlight,
    bareWork: work.description,
    bareBefore: bareBefore.perImage.length,
    bareAfter: bareAfter.perImage.length,
    bareBeforeRate: imagesPerSecond(bareBefore).toFixed(1),
    bareAfterRate: imagesPerSecond(bareAfter).toFixed(1),
    table: markdownTable(
      ['target', 'images', 'READY', 'FAILED', 'seconds', 'images/s', 'per image p50 ms', 'per image max ms'],
      [
        ['local stack', fmtInt(local.images), fmtInt(local.ready), fmtInt(local.failed.length), local.seconds.toFixed(1), ours.toFixed(1), fmtMs(local.perImageP50), fmtMs(local.perImageMax)],
        ['bare sharp', fmtInt(bare.images), fmtInt(bare.ready), '0', bare.seconds.toFixed(1), reference.toFixed(1), fmtMs(bare.perImageP50), fmtMs(bare.perImageMax)],
      ],
    ),
    failed: local.failed.length > 0 ? `\n\nFailed uploads: ${local.failed.slice(0, 5).join('; ')}` : '',
    warmUploads: ctx.options.pipeline.warmUploads,
    cores: local.usage.cores,
    localOthers: pct(localLoad.othersShare),
    localIdle: pct(localLoad.idleShare),
    bareOthers: pct(bareLoad.othersShare),
    bareIdle: pct(bareLoad.idleShare),
    cpuTable: markdownTable(
      ['where', 'CPU ms per image'],
      [
        ...localCpu.rows.map((r) => [`local: ${r.part}`, fmtMs(r.msPerImage)]),
        ['**local: total**', fmtMs(localCpu.totalMsPerImage)],
        ...bareCpu.rows.map((r) => [`bare sharp: ${r.part}`, fmtMs(r.msPerImage)]),
        ['**bare sharp: total**', fmtMs(bareCpu.totalMsPerImage)],
      ],
    ),
    chart: chartLink(chart),
  });
  const evidence = new Map<string, string>();
  if (comparisons.some((c) => c.met === false)) {
    const top = localCpu.rows.slice(0, 5).map((r) => `${r.part} ${fmtMs(r.msPerImage)}`).join(', ');
    evidence.set(
      'pipeline',
      `The local stack spent ${fmtMs(localCpu.totalMsPerImage)} ms of CPU per image against bare sharp's ${fmtMs(bareCpu.totalMsPerImage)} ` +
        `(${(bareCpu.totalMsPerImage / localCpu.totalMsPerImage).toFixed(2)}x, the ratio a CPU-bound run can reach); by part: ${top}. ` +
        `Idle gaps (at least half a core idle machine-wide) covered ${pct(localLoad.gapShare)} of the local run and ${pct(bareLoad.gapShare)} of bare sharp's; ` +
        `other processes took ${pct(localLoad.othersShare)} and ${pct(bareLoad.othersShare)} of the machine.`,
    );
  }
  const figures = { local: { ...local, usage: undefined }, bare: { ...bare, usage: undefined }, localCpu, bareCpu };
  return { name: 'pipeline', title: 'Pipeline', comparisons, details, evidence, charts: [chart], figures };
}
