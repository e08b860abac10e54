/**
 * Lambda entry of the THUMBNAIL step: its queue is subscribed to the uploads topic. Writes the
 * sizes of THUMBNAIL_SIZES in the formats of THUMBNAIL_FORMATS under `thumbnails/`. Env: see runtime.ts.
 */
import { pipelineRuntime } from './runtime.js';
import { createStepHandler } from './step-handler.js';

export const handler = createStepHandler('THUMBNAIL', 'make-thumbnails', pipelineRuntime);
