/** The state machine's `validateOrder` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './saga-step.js';

export const handler = stepHandler('orders-validate-order', (saga, input) => saga.validateOrder(input));
