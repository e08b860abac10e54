/** The state machine's `markFailed` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './saga-step.js';

export const handler = stepHandler('orders-mark-failed', (saga, input) => saga.markFailed(input));
