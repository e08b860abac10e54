/** The state machine's `processPayment` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './step-handler.js';

export const handler = stepHandler('orders-process-payment', (saga, input) => saga.processPayment(input));
