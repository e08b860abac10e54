/**
 * Powertools metrics (EMF) and tracer (X-Ray on AWS; off outside Lambda, where
 * AWS_EXECUTION_ENV is unset) for the pipeline's functions, behind the small ports the domain
 * uses. POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE configure them.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { PipelineMetrics } from '../domain/pipeline-runs.js';

export { Metrics };
export type { Tracer };

/**
 * Whether Powertools Tracer could trace here. It traces only in a Lambda execution environment
 * (AWS_EXECUTION_ENV set) unless POWERTOOLS_TRACE_ENABLED is "false"; where it would not, its
 * module is not loaded at all: it brings the X-Ray SDK, ~100 KiB that V8 compiles and runs at
 * init for nothing (the local stack, tests). Where it could, the Tracer itself decides, as always.
 */
export function tracerMayTrace(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return (env['AWS_EXECUTION_ENV'] ?? '') !== '' && env['POWERTOOLS_TRACE_ENABLED']?.toLowerCase() !== 'false';
}

// Loaded at init (not on the first invocation), so on AWS the X-Ray SDK is ready before the first
// event, as with a static import.
const tracerModule = tracerMayTrace() ? await import('@aws-lambda-powertools/tracer') : undefined;

export function createMetrics(serviceName: string): Metrics {
  return new Metrics({ serviceName, defaultDimensions: { step: serviceName } });
}

/** The Tracer, or undefined where it would not trace (see tracerMayTrace). */
export function createTracer(serviceName: string): Tracer | undefined {
  return tracerModule === undefined ? undefined : new tracerModule.Tracer({ serviceName });
}

export const metricsPort = (metrics: Metrics): PipelineMetrics => ({
  count: (name, value = 1) => {
    metrics.addMetric(name, MetricUnit.Count, value);
  },
});

/** Runs `work` in a `## handler` subsegment, as Powertools' middleware does, and flushes the metrics. */
export async function traced<T>(tracer: Tracer | undefined, metrics: Metrics, name: string, work: () => Promise<T>): Promise<T> {
  const segment = tracer?.getSegment();
  const subsegment = segment?.addNewSubsegment(`## ${name}`);
  if (subsegment) tracer?.setSegment(subsegment);
  tracer?.annotateColdStart();
  tracer?.addServiceNameAnnotation();
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error) subsegment?.addError(error);
    throw error;
  } finally {
    // An idle run (a scheduled consumer finding nothing) has nothing to report.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    subsegment?.close();
    if (segment) tracer?.setSegment(segment);
  }
}
