/** The state machine's `reserveInventory` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './saga-step.js';

export const handler = stepHandler('orders-reserve-inventory', (saga, input) => saga.reserveInventory(input));
