/** The state machine's `validateOrder` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './step-handler.js';

export const handler = stepHandler('orders-validate-order', (saga, input) => saga.validateOrder(input));
