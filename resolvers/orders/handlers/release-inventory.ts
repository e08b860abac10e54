/** The state machine's `releaseInventory` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './saga-step.js';

export const handler = stepHandler('orders-release-inventory', (saga, input) => saga.releaseInventory(input));
