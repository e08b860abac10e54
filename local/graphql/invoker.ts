/**
 * How the engine reaches functions: by logical id, through whatever runs them (local/lambda in
 * the local stack, a fake in tests). The engine knows a failed invocation by its shape, not by
 * the runner's error class: `{payload: {errorType, errorMessage}}`, what Lambda reports.
 */
export type FunctionInvoker = (functionLogicalId: string, event: unknown) => Promise<unknown>;

export interface FunctionFailurePayload {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** The function error a failed invocation carries, or undefined for any other failure. */
export function functionFailure(error: unknown): FunctionFailurePayload | undefined {
  const payload = (error as { payload?: Partial<FunctionFailurePayload> } | null)?.payload;
  if (error instanceof Error && payload && typeof payload.errorType === 'string' && typeof payload.errorMessage === 'string') {
    return { errorType: payload.errorType, errorMessage: payload.errorMessage };
  }
  return undefined;
}
