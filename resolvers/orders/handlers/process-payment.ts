/** The state machine's `processPayment` state (see resolvers/orders/domain/order-saga.ts). */
import { installStripeOrSimulator } from './payment-wiring.js';
import { stepHandler } from './saga-step.js';

installStripeOrSimulator();

export const handler = stepHandler('orders-process-payment', (saga, input) => saga.processPayment(input));
