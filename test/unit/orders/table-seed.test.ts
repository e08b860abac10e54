import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../../local/cdk/template.js';
import { tableSeeds } from '../../../local/services/table-seed.js';

describe('local seeding of tables', () => {
  it('given tables with and without `local:seed` metadata, then only the seeded ones are listed, with their items', () => {
    const template: CfnTemplate = {
      Resources: {
        Products: { Type: 'AWS::DynamoDB::Table', Metadata: { 'local:seed': [{ sku: 'A', stock: 1 }] } },
        Orders: { Type: 'AWS::DynamoDB::Table' },
        Fn: { Type: 'AWS::Lambda::Function', Metadata: { 'local:seed': [{ not: 'a table' }] } },
      },
    };
    expect([...tableSeeds(template)]).toEqual([['Products', [{ sku: 'A', stock: 1 }]]]);
  });

  it('given seed metadata that is not a list of items, then the template is refused with the table named', () => {
    const template: CfnTemplate = { Resources: { Products: { Type: 'AWS::DynamoDB::Table', Metadata: { 'local:seed': ['x'] } } } };
    expect(() => tableSeeds(template)).toThrow(/Products: local:seed must be a list of items/);
  });
});
