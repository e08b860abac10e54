/**
 * The state machine's `RecordSale` state, a branch of the Parallel state after ConfirmOrder:
 * counts the order's sale once (see resolvers/orders/domain/approval-and-sale.ts).
 */
import { loggedStep, parseStepInput } from './saga-step.js';
import { approvalAndSaleStepsFromEnvironment } from './wiring.js';

export const handler = loggedStep('orders-record-sale', parseStepInput, approvalAndSaleStepsFromEnvironment, (steps, input) => steps.recordSale(input));
