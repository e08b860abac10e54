/** The state machine's `notifyCustomer` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './saga-step.js';

export const handler = stepHandler('orders-notify-customer', (saga, input) => saga.notifyCustomer(input));
