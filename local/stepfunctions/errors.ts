/** Errors of the Step Functions API, in its wire shape (`__type`, `message`, HTTP status). */

export class StepFunctionsApiError extends Error {
  constructor(
    /** The `__type` clients read as the error code, such as ExecutionDoesNotExist. */
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export const stateMachineDoesNotExist = (arn: string) =>
  new StepFunctionsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);

export const executionDoesNotExist = (arn: string) =>
  new StepFunctionsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);

export const executionAlreadyExists = (arn: string) =>
  new StepFunctionsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);

export const invalidName = (message: string) => new StepFunctionsApiError('InvalidName', message);

export const invalidArn = (message: string) => new StepFunctionsApiError('InvalidArn', message);

export const invalidExecutionInput = (message: string) => new StepFunctionsApiError('InvalidExecutionInput', message);

export const invalidToken = (message: string) => new StepFunctionsApiError('InvalidToken', message);

export const validationException = (message: string) => new StepFunctionsApiError('ValidationException', message);
