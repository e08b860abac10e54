/**
 * A table's name locally: the `TableName` the template gives it, as CloudFormation names it,
 * else its logical id (CloudFormation would generate one). An app whose code or scripts name a
 * table by its TableName (aws-cdk-examples' appsync-graphql-dynamodb loads its data into
 * `cardata-cars`) then finds it; `Ref` and `Fn::GetAtt Arn` give the same name. A TableName built
 * with intrinsics is not resolved here: such a table keeps its logical id.
 */
import type { CfnTemplate } from './template.js';

export function tableNameOf(template: CfnTemplate, logicalId: string): string {
  const name = template.Resources[logicalId]?.Properties?.['TableName'];
  return typeof name === 'string' && name !== '' ? name : logicalId;
}
