/**
 * The state machine's `RequestApproval` state, a `.waitForTaskToken` task: stores the task token
 * with the order and announces AWAITING_APPROVAL (see resolvers/orders/domain/approval-and-sale.ts).
 * Its payload is `{orderId, taskToken}`.
 */
import type { ApprovalRequest } from '../domain/approval-and-sale.js';
import { InvalidStepInputError, loggedStep } from './saga-step.js';
import { approvalAndSaleStepsFromEnvironment } from './wiring.js';

export function parseApprovalRequest(event: unknown): ApprovalRequest {
  const record = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const { orderId, taskToken } = record;
  if (typeof orderId !== 'string' || orderId === '') throw new InvalidStepInputError('The approval request has no orderId');
  if (typeof taskToken !== 'string' || taskToken === '') throw new InvalidStepInputError('The approval request has no taskToken');
  return { orderId, taskToken };
}

export const handler = loggedStep('orders-request-approval', parseApprovalRequest, approvalAndSaleStepsFromEnvironment, (steps, input) =>
  steps.requestApproval(input),
);
