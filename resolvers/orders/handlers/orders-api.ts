/**
 * Lambda entry for Query.products, Query.order, Query.orders, Query.pendingApprovals,
 * Mutation.placeOrder, Mutation.cancelOrder, Mutation.approveOrder and Mutation.rejectOrder. Environment: see ./wiring.ts.
 */
import { createLogger } from '../../shared/logger.js';
import type { OrdersService } from '../domain/orders-service.js';
import { createOrdersApi } from './orders-router.js';
import { installStripeOrSimulator } from './payment-wiring.js';
import { ordersServiceFromEnvironment } from './wiring.js';

const logger = createLogger('orders-api');
// placeOrder prepares payments, Order.payment.transactions reads them.
installStripeOrSimulator();

let service: OrdersService | undefined;

export const handler = createOrdersApi(() => (service ??= ordersServiceFromEnvironment()), logger);
