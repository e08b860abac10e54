/** The state machine's `refundPayment` state (see resolvers/orders/domain/order-saga.ts). */
import { installStripeOrSimulator } from './payment-wiring.js';
import { stepHandler } from './saga-step.js';

installStripeOrSimulator();

export const handler = stepHandler('orders-refund-payment', (saga, input) => saga.refundPayment(input));
