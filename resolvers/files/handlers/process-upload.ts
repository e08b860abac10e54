/**
 * Lambda entry of the PROCESS step: its queue is subscribed to the uploads topic (S3
 * ObjectCreated under `uploads/`). Checks the bytes, writes the sanitized original, records
 * format, dimensions, size and sha256. Env: see pipeline-runtime.ts.
 */
import { pipelineRuntime } from './pipeline-runtime.js';
import { createStepHandler } from './pipeline-step.js';

export const handler = createStepHandler('PROCESS', 'process-upload', pipelineRuntime);
