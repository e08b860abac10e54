/**
 * One interface for every data source kind: a resolver's request handler (APPSYNC_JS) or request
 * mapping template (VTL) produces a request object; the data source runs it and hands the
 * response side a result, or an error as `ctx.error` `{message, type}`. Each kind is a module of
 * its own (lambda.ts, dynamodb.ts, none.ts, http.ts, eventbridge.ts), chosen in index.ts.
 */
import type { DynamoDbRequest } from '../dynamodb-source.js';
import type { FunctionInvoker } from '../invoker.js';

export type DataSourceOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly message: string; readonly type: string } };

export interface DataSourceRunner {
  run(request: unknown): Promise<DataSourceOutcome>;
}

/** Runs AMAZON_DYNAMODB requests on a table: DynamoDB Local in the stack (dynamodb-source.ts). */
export interface DynamoDbBackend {
  run(tableName: string, request: DynamoDbRequest): Promise<DataSourceOutcome>;
}

/** One event as an AMAZON_EVENTBRIDGE request names it (AppSync's PutEvents shape). */
export interface EventEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly resources?: readonly string[];
  readonly time?: string;
}

/** What data sources reach: functions, DynamoDB Local, the network, the local event bus. */
export interface DataSourceDeps {
  readonly invokeFunction: FunctionInvoker;
  readonly dynamodb?: DynamoDbBackend;
  /** A table's local name from its logical id. @default the logical id */
  readonly tableName?: (logicalId: string) => string;
  /** Resolves a template value (`Ref`, `Fn::GetAtt`, `Fn::Join`) to its local value. @default as is */
  readonly resolve?: (value: unknown) => unknown;
  /** Credentials HTTP data sources sign with when their AuthorizationConfig says AWS_IAM. */
  readonly signingCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * The local endpoint of an AWS service by the first label of its AWS host (`sns`, `sqs`,
   * `states`): HTTP data sources calling AWS services call these instead (http.ts).
   */
  readonly awsServiceEndpoints?: Readonly<Record<string, string>>;
  /** The stack's log: what no caller waits for (an asynchronous invocation's failure). */
  readonly log?: (line: string) => void;
  /** Puts events on a bus of the template (by the bus's resolved name or ARN). */
  readonly putEvents?: (eventBus: unknown, entries: readonly EventEntry[]) => Promise<{ readonly eventIds: readonly string[] }>;
}

export const failed = (type: string, message: string): DataSourceOutcome => ({ ok: false, error: { type, message } });
