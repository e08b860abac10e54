/**
 * The state machine's `RecordSale` state, a branch of the Parallel state after ConfirmOrder:
 * counts the order's sale once (see resolvers/orders/domain/approval-and-sale.ts).
 *
 * Fault injection (tests only, PIPELINE_FAULTS): a `step-error` rule with step `RECORD_SALE`
 * matches orders whose clientToken starts with `fileNamePrefix`; `onReceiveCounts` counts this
 * execution environment's attempts for the order (retries of one execution run here in turn).
 */
import { faultsFromEnv } from '../../../local/faults/rules.js';
import { loggedStep, parseStepInput } from './saga-step.js';
import { approvalAndSaleStepsFromEnvironment, orderRepositoryFromEnvironment } from './wiring.js';

const faults = faultsFromEnv();
const attempts = new Map<string, number>();

export const handler = loggedStep(
  'orders-record-sale',
  parseStepInput,
  approvalAndSaleStepsFromEnvironment,
  async (steps, input) => {
    if (faults.active) {
      const order = await orderRepositoryFromEnvironment().get(input.orderId);
      const receiveCount = (attempts.get(input.orderId) ?? 0) + 1;
      attempts.set(input.orderId, receiveCount);
      faults.beforeStep('RECORD_SALE', { fileId: input.orderId, fileName: order?.clientToken ?? '', receiveCount });
    }
    return steps.recordSale(input);
  },
);
