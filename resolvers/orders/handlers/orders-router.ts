/**
 * The orders API's fields on a Powertools Router, typed by the generated resolver types. Each
 * resolver only extracts the caller (and whether the payment record was selected) and
 * delegates to OrdersService.
 */
import { Router } from '@aws-lambda-powertools/event-handler/appsync-graphql';
import type { MutationResolvers, QueryResolvers } from '../../generated/graphql.js';
import { type ApiHandler, type FieldResolver, createApiHandler, guarded, ownerOf } from '../../shared/guarded-resolver.js';
import type { Logger } from '../../shared/logger.js';
import type { OrdersService, ViewOptions } from '../domain/orders-service.js';

/**
 * Reading the provider's record costs a call per order: only when the caller selected
 * `payment { transactions }` (AppSync lists the selection in `info.selectionSetList`).
 */
export function viewOptionsOf(event: { info?: { selectionSetList?: unknown } }): ViewOptions {
  const list = event.info?.selectionSetList;
  const paths = Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
  return { transactions: paths.some((path) => /(^|\/)payment\/transactions(\/|$)/.test(path)) };
}

export function ordersRouter(service: () => OrdersService, logger?: Logger): Router {
  const router = new Router(logger === undefined ? undefined : { logger });

  const products: FieldResolver<QueryResolvers['products']> = (args) => service().listProducts(args);

  const order: FieldResolver<QueryResolvers['order']> = ({ id }, { event }) =>
    service().getOrder(ownerOf(event), id, viewOptionsOf(event));

  const orders: FieldResolver<QueryResolvers['orders']> = (args, { event }) =>
    service().listOrders(ownerOf(event), args, viewOptionsOf(event));

  const placeOrder: FieldResolver<MutationResolvers['placeOrder']> = ({ input }, { event }) =>
    service().placeOrder(ownerOf(event), input, viewOptionsOf(event));

  const cancelOrder: FieldResolver<MutationResolvers['cancelOrder']> = ({ id }, { event }) =>
    service().cancelOrder(ownerOf(event), id, viewOptionsOf(event));

  const pendingApprovals: FieldResolver<QueryResolvers['pendingApprovals']> = (args, { event }) =>
    service().pendingApprovals(args, viewOptionsOf(event));

  // AppSync lets only the `approvers` group through (the schema's cognito_groups); the approver is the caller.
  const approveOrder: FieldResolver<MutationResolvers['approveOrder']> = ({ orderId, comment }, { event }) =>
    service().approveOrder(ownerOf(event), orderId, comment, viewOptionsOf(event));

  const rejectOrder: FieldResolver<MutationResolvers['rejectOrder']> = ({ orderId, reason }, { event }) =>
    service().rejectOrder(ownerOf(event), orderId, reason, viewOptionsOf(event));

  router.onQuery('products', guarded(products));
  router.onQuery('pendingApprovals', guarded(pendingApprovals));
  router.onMutation('approveOrder', guarded(approveOrder));
  router.onMutation('rejectOrder', guarded(rejectOrder));
  router.onQuery('order', guarded(order));
  router.onQuery('orders', guarded(orders));
  router.onMutation('placeOrder', guarded(placeOrder));
  router.onMutation('cancelOrder', guarded(cancelOrder));
  return router;
}

export type OrdersApiHandler = ApiHandler;

/** The whole Lambda behaviour, with its service injected (tests pass in-memory ports). */
export function createOrdersApi(service: () => OrdersService, logger: Logger): OrdersApiHandler {
  return createApiHandler(ordersRouter(service, logger), logger);
}
