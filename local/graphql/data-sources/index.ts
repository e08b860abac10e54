import type { DataSourceSpec } from '../../cdk/topology.js';
import { FieldError } from '../errors.js';
import { dynamoDbDataSource } from './dynamodb.js';
import { eventBridgeDataSource } from './eventbridge.js';
import { httpDataSource } from './http.js';
import { lambdaDataSource } from './lambda.js';
import { noneDataSource } from './none.js';
import type { DataSourceDeps, DataSourceRunner } from './types.js';

export type { DataSourceDeps, DataSourceOutcome, DataSourceRunner, DynamoDbBackend, EventEntry } from './types.js';

/** Data source kinds the local stack does not run: a resolver on one answers this error. */
const unsupported = (spec: DataSourceSpec, why = `of type ${spec.type}, which the local stack does not run`): DataSourceRunner => ({
  run: async () => {
    throw new FieldError('UnsupportedOperation', `Data source ${spec.name} is ${why}`);
  },
});

/** The runner of a data source of the template (undefined: a resolver without one, as NONE). */
export function dataSourceRunner(spec: DataSourceSpec | undefined, deps: DataSourceDeps): DataSourceRunner {
  if (!spec) return noneDataSource;
  const properties = spec.properties ?? {};
  switch (spec.type) {
    case 'NONE':
      return noneDataSource;
    case 'AWS_LAMBDA':
      // A function imported by ARN is not in the template: its fields answer the error, the rest runs.
      if (!spec.functionLogicalId) return unsupported(spec, 'its function is not defined in the template (an imported ARN)');
      return lambdaDataSource(spec.name, spec.functionLogicalId, deps);
    case 'AMAZON_DYNAMODB':
      return dynamoDbDataSource(spec.name, spec.tableLogicalId, deps);
    case 'HTTP':
      return httpDataSource(spec.name, properties, deps);
    case 'AMAZON_EVENTBRIDGE':
      return eventBridgeDataSource(spec.name, properties, deps);
    default:
      return unsupported(spec);
  }
}

/** Data source types dataSourceRunner runs. */
export const SUPPORTED_DATA_SOURCE_TYPES: readonly string[] = ['NONE', 'AWS_LAMBDA', 'AMAZON_DYNAMODB', 'HTTP', 'AMAZON_EVENTBRIDGE'];
