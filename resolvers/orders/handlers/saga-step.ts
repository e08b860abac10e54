/**
 * What every state's function shares: it checks the input Step Functions passes, runs its one
 * step of the saga, and logs under the order id (also the execution's name, so one id leads
 * from the logs to the execution history and back).
 *
 * Errors are rethrown as they are: their `name` is the error Step Functions sees. A saga
 * outcome (PaymentDeclined, OutOfStock, ...) is logged as a warning, anything else as an error
 * (Step Functions retries those).
 */
import type { Context } from 'aws-lambda';
import { isSagaOutcome } from '../domain/errors.js';
import type { CaughtError, OrderSaga, StepInput, StepResult } from '../domain/order-saga.js';
import { type Logger, createLogger } from '../../shared/logger.js';
import { orderSagaFromEnvironment } from './wiring.js';

/** The event is not what the state machine passes: a wiring bug, never retried into success. */
export class InvalidStepInputError extends Error {
  override name = 'InvalidStepInput';
  constructor(message: string) {
    super(message);
  }
}

export type StepHandler = (event: unknown, context: Context) => Promise<StepResult>;

function isCaught(value: unknown): value is CaughtError {
  if (typeof value !== 'object' || value === null) return false;
  const { Error: name, Cause: cause } = value as { Error?: unknown; Cause?: unknown };
  return typeof name === 'string' && (cause === undefined || cause === null || typeof cause === 'string');
}

export function parseStepInput(event: unknown): StepInput {
  const record = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const orderId = record['orderId'];
  if (typeof orderId !== 'string' || orderId === '') throw new InvalidStepInputError('The step input has no orderId');
  for (const key of ['error', 'compensationError'] as const) {
    if (record[key] !== undefined && !isCaught(record[key])) {
      throw new InvalidStepInputError(`The step input's ${key} is not a Step Functions error ({Error, Cause})`);
    }
  }
  return {
    orderId,
    ...(record['error'] === undefined ? {} : { error: record['error'] as CaughtError }),
    ...(record['compensationError'] === undefined ? {} : { compensationError: record['compensationError'] as CaughtError }),
  };
}

export function stepHandler(
  service: string,
  run: (saga: OrderSaga, input: StepInput) => Promise<StepResult>,
): StepHandler {
  return loggedStep(service, parseStepInput, orderSagaFromEnvironment, run);
}

/** A state's function: parses its input, builds its steps once, runs one, logs under the order id. */
export function loggedStep<I extends { readonly orderId: string }, S>(
  service: string,
  parse: (event: unknown) => I,
  build: (log: Logger) => S,
  run: (steps: S, input: I) => Promise<StepResult>,
  before?: (input: I) => void,
): StepHandler {
  const logger = createLogger(service);
  let steps: S | undefined;
  return async (event, context) => {
    logger.addContext(context);
    try {
      const input = parse(event);
      logger.setCorrelationId(input.orderId);
      logger.appendKeys({ orderId: input.orderId });
      before?.(input);
      steps ??= build(logger);
      const result = await run(steps, input);
      logger.info('Step done', { result });
      return result;
    } catch (error) {
      if (error instanceof Error && isSagaOutcome(error.name)) {
        logger.warn('Step ended the forward path', { error });
      } else {
        logger.error('Step failed', { error });
      }
      throw error;
    } finally {
      logger.resetKeys();
    }
  };
}
