import { describe, expect, it } from 'vitest';
import { tableNameOf } from '../../../local/cdk/table-names.js';
import type { CfnTemplate } from '../../../local/cdk/template.js';
import { type LocalNames, localValues } from '../../../local/wiring.js';

/**
 * A table's local name is its TableName when the template gives one, as CloudFormation names it
 * (aws-cdk-examples' appsync-graphql-dynamodb loads its data into `cardata-cars` by that name).
 */
const template: CfnTemplate = {
  Resources: {
    Cars: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'cardata-cars' } },
    Generated: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Joined: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'x']] } } },
  },
};

describe('local table names', () => {
  it('given tables with and without a plain TableName, when named, then the TableName wins and the rest keep their logical id', () => {
    expect(['Cars', 'Generated', 'Joined'].map((id) => [id, tableNameOf(template, id)])).toEqual([['Cars', 'cardata-cars'], ['Generated', 'Generated'], ['Joined', 'Joined']]);
  });

  it('given a table with a TableName, when the template refers to it, then Ref and its Arn give that name', () => {
    const values = localValues(template, { region: 'us-east-1' } as LocalNames, { apis: new Map(), s3: '', dynamodb: '', stepFunctions: '' });
    expect(values.ref('Cars')).toBe('cardata-cars');
    expect(values.getAtt('Cars', 'Arn')).toBe('arn:aws:dynamodb:us-east-1:123456789012:table/cardata-cars');
    expect(values.ref('Generated')).toBe(tableNameOf(template, 'Generated'));
  });
});
