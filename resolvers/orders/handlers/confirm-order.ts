/** The state machine's `confirmOrder` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './saga-step.js';

export const handler = stepHandler('orders-confirm-order', (saga, input) => saga.confirmOrder(input));
