/** The state machine's `refundPayment` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './step-handler.js';

export const handler = stepHandler('orders-refund-payment', (saga, input) => saga.refundPayment(input));
