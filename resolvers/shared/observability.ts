/**
 * Powertools metrics (EMF) and tracer (X-Ray on AWS; off outside Lambda, where
 * AWS_EXECUTION_ENV is unset) for the pipeline's functions, behind the small ports the domain
 * uses. POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE configure them.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { PipelineMetrics } from '../files/pipeline-steps.js';

export { Metrics, Tracer };

export function createMetrics(serviceName: string): Metrics {
  return new Metrics({ serviceName, defaultDimensions: { step: serviceName } });
}

export function createTracer(serviceName: string): Tracer {
  return new Tracer({ serviceName });
}

export const metricsPort = (metrics: Metrics): PipelineMetrics => ({
  count: (name, value = 1) => {
    metrics.addMetric(name, MetricUnit.Count, value);
  },
});

/** Runs `work` in a `## handler` subsegment, as Powertools' middleware does, and flushes the metrics. */
export async function traced<T>(tracer: Tracer, metrics: Metrics, name: string, work: () => Promise<T>): Promise<T> {
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment(`## ${name}`);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error) subsegment?.addError(error);
    throw error;
  } finally {
    // An idle run (a scheduled consumer finding nothing) has nothing to report.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
  }
}
