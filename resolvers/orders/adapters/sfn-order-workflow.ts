/**
 * OrderWorkflow on Step Functions: one execution per order, named after the order. For a
 * standard state machine the name is unique: StartExecution with the name and input of a
 * running execution returns that execution, and with the name of a closed one fails with
 * ExecutionAlreadyExists. Either way the order has its one execution, so both count as started.
 * Waiting tasks (an approval) are answered with SendTaskSuccess / SendTaskFailure; TaskTimedOut
 * ("already closed") and TaskDoesNotExist mean nobody waits on the token any more.
 * The endpoint comes from the SDK's own configuration (AWS_ENDPOINT_URL_SFN locally).
 */
import {
  ExecutionAlreadyExists,
  type SFNClient,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { OrderWorkflow, WorkflowTaskAnswer } from '../domain/ports.js';

/** What every execution starts with; each step reads the order itself. The total picks the approval path. */
export interface OrderExecutionInput {
  readonly orderId: string;
  readonly totalCents: number;
}

const isNamed = (error: unknown, ...names: string[]) => error instanceof Error && names.includes(error.name);

export class StepFunctionsOrderWorkflow implements OrderWorkflow {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(options: { client: SFNClient; stateMachineArn: string }) {
    this.#client = options.client;
    this.#stateMachineArn = options.stateMachineArn;
  }

  async start(orderId: string, totalCents: number): Promise<void> {
    const input: OrderExecutionInput = { orderId, totalCents };
    try {
      await this.#client.send(
        new StartExecutionCommand({ stateMachineArn: this.#stateMachineArn, name: orderId, input: JSON.stringify(input) }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || isNamed(error, 'ExecutionAlreadyExists')) return;
      throw error;
    }
  }

  async answer(taskToken: string, answer: WorkflowTaskAnswer): Promise<'ANSWERED' | 'CLOSED'> {
    try {
      if (answer.kind === 'success') {
        await this.#client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(answer.output) }));
      } else {
        await this.#client.send(new SendTaskFailureCommand({ taskToken, error: answer.error, cause: answer.cause }));
      }
      return 'ANSWERED';
    } catch (error) {
      if (isNamed(error, 'TaskTimedOut', 'TaskDoesNotExist')) return 'CLOSED';
      throw error;
    }
  }

  async heartbeat(taskToken: string): Promise<'ALIVE' | 'CLOSED'> {
    try {
      await this.#client.send(new SendTaskHeartbeatCommand({ taskToken }));
      return 'ALIVE';
    } catch (error) {
      if (isNamed(error, 'TaskTimedOut', 'TaskDoesNotExist')) return 'CLOSED';
      throw error;
    }
  }
}
