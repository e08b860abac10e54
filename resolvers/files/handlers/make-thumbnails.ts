/**
 * Lambda entry of the THUMBNAIL step: its queue is subscribed to the uploads topic. Writes the
 * sizes of THUMBNAIL_SIZES in the formats of THUMBNAIL_FORMATS under `thumbnails/`. Env: see pipeline-runtime.ts.
 */
import { pipelineRuntime } from './pipeline-runtime.js';
import { createStepHandler } from './pipeline-step.js';

export const handler = createStepHandler('THUMBNAIL', 'make-thumbnails', pipelineRuntime);
