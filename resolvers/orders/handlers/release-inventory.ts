/** The state machine's `releaseInventory` state (see resolvers/orders/domain/order-saga.ts). */
import { stepHandler } from './step-handler.js';

export const handler = stepHandler('orders-release-inventory', (saga, input) => saga.releaseInventory(input));
