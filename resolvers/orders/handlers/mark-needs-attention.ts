/** The state machine's `markNeedsAttention` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './saga-step.js';

export const handler = stepHandler('orders-mark-needs-attention', (saga, input) => saga.markNeedsAttention(input));
