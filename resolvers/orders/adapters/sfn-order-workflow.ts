/**
 * OrderWorkflow on Step Functions: one execution per order, named after the order. For a
 * standard state machine the name is unique: StartExecution with the name and input of a
 * running execution returns that execution, and with the name of a closed one fails with
 * ExecutionAlreadyExists. Either way the order has its one execution, so both count as started.
 * The endpoint comes from the SDK's own configuration (AWS_ENDPOINT_URL_SFN locally).
 */
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { OrderWorkflow } from '../domain/ports.js';

/** What every execution starts with; each step reads the order itself. */
export interface OrderExecutionInput {
  readonly orderId: string;
}

export class StepFunctionsOrderWorkflow implements OrderWorkflow {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(options: { client: SFNClient; stateMachineArn: string }) {
    this.#client = options.client;
    this.#stateMachineArn = options.stateMachineArn;
  }

  async start(orderId: string): Promise<void> {
    const input: OrderExecutionInput = { orderId };
    try {
      await this.#client.send(
        new StartExecutionCommand({ stateMachineArn: this.#stateMachineArn, name: orderId, input: JSON.stringify(input) }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error instanceof Error && error.name === 'ExecutionAlreadyExists')) return;
      throw error;
    }
  }
}
