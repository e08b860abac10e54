/**
 * "Bare sharp": the image work of the upload pipeline, done in one process with no storage,
 * queue or Lambda around it. It calls the pipeline's own image functions (thin sharp calls in
 * resolvers/files/domain/image-inspection.ts) with the thumbnail settings the template gives the
 * pipeline's functions, so that it stays "the same resizes" as the pipeline changes.
 *
 * Both generations of the pipeline are recognised: one step (inspect + one 200x200 JPEG,
 * `processImage`), or PROCESS (inspect + sanitized original) and THUMBNAIL (inspect + the
 * configured sizes and formats).
 */
import * as images from '../../resolvers/files/domain/image-inspection.js';
import * as config from '../../resolvers/files/handlers/config.js';
import { inProcessEnvironment } from './app.js';
import type { Topology } from '../../local/cdk/topology.js';

type Fn = (...args: never[]) => Promise<unknown>;

export interface ImageWork {
  readonly description: string;
  run(bytes: Buffer): Promise<void>;
}

const exported = (module: object, name: string): Fn | undefined => {
  const value = (module as Record<string, unknown>)[name];
  return typeof value === 'function' ? (value as Fn) : undefined;
};

export function pipelineImageWork(topology: Topology): ImageWork {
  const inspect = exported(images, 'inspectImage') as ((bytes: Uint8Array, size: number) => Promise<{ format: string }>) | undefined;
  const sanitize = exported(images, 'sanitizeImage') as ((bytes: Uint8Array, format: string) => Promise<unknown>) | undefined;
  const render = exported(images, 'renderThumbnails') as ((bytes: Uint8Array, sizes: unknown, formats: unknown) => Promise<unknown>) | undefined;
  const readConfig = exported(config, 'thumbnailConfig') as unknown as ((env: Record<string, string>) => { sizes: unknown[]; formats: string[] }) | undefined;
  const thumbnailFunction = [...topology.functions.values()].find((fn) => 'THUMBNAIL_SIZES' in fn.environment);

  if (inspect && sanitize && render && readConfig && thumbnailFunction) {
    const env = inProcessEnvironment(thumbnailFunction);
    const { sizes, formats } = readConfig(env);
    return {
      description:
        `PROCESS (inspect, sanitized original) then THUMBNAIL (inspect, ${env['THUMBNAIL_SIZES']} in ${env['THUMBNAIL_FORMATS']}), ` +
        'with the pipeline\'s own functions from image-inspection.ts',
      async run(bytes) {
        const info = await inspect(bytes, bytes.length);
        await sanitize(bytes, info.format);
        await inspect(bytes, bytes.length);
        await render(bytes, sizes, formats);
      },
    };
  }
  const processImage = exported(images, 'processImage') as ((bytes: Uint8Array, size: number) => Promise<unknown>) | undefined;
  if (!processImage) throw new Error('image-inspection.ts exports neither processImage nor inspect/sanitize/renderThumbnails');
  return {
    description: 'inspect and one 200x200 JPEG cover crop (`processImage` from image-inspection.ts)',
    async run(bytes) {
      await processImage(bytes, bytes.length);
    },
  };
}
