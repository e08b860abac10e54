/**
 * `util.transform.toDynamoDBFilterExpression` / `toDynamoDBConditionExpression` (and the JS
 * runtime's `toDynamoDBFilter`): a filter input object as GraphQL APIs take it
 * (`{title: {contains: "Hello"}, and: [...], or: [...], not: {...}}`) to a DynamoDB expression
 * `{expression, expressionNames, expressionValues}`, names as `#field` and values as
 * `:field_operator`.
 */
import { toDynamoDB } from './dynamodb.js';

export interface DynamoExpression {
  expression: string;
  expressionNames: Record<string, string>;
  expressionValues: Record<string, unknown>;
}

export class FilterError extends Error {
  override readonly name = 'FilterError';
}

type Marshal = (value: unknown) => unknown;

function build(filter: Record<string, unknown>, out: DynamoExpression, marshal: Marshal, suffix: { n: number }): string {
  const parts: string[] = [];
  for (const [field, condition] of Object.entries(filter)) {
    if (condition === undefined || condition === null) continue;
    if (field === 'and' || field === 'or') {
      const inner = (condition as Record<string, unknown>[]).map((c) => build(c, out, marshal, suffix)).filter(Boolean);
      if (inner.length > 0) parts.push(inner.map((p) => `(${p})`).join(field === 'and' ? ' AND ' : ' OR '));
      continue;
    }
    if (field === 'not') {
      parts.push(`NOT (${build(condition as Record<string, unknown>, out, marshal, suffix)})`);
      continue;
    }
    const name = `#${field}`;
    out.expressionNames[name] = field;
    for (const [operator, operand] of Object.entries(condition as Record<string, unknown>)) {
      const valueName = (op: string) => {
        let key = `:${field}_${op}`;
        if (key in out.expressionValues) key = `${key}_${(suffix.n += 1)}`;
        return key;
      };
      const value = (op: string, v: unknown) => {
        const key = valueName(op);
        out.expressionValues[key] = marshal(v);
        return key;
      };
      switch (operator) {
        case 'eq':
          parts.push(`${name} = ${value(operator, operand)}`);
          break;
        case 'ne':
          parts.push(`${name} <> ${value(operator, operand)}`);
          break;
        case 'le':
          parts.push(`${name} <= ${value(operator, operand)}`);
          break;
        case 'lt':
          parts.push(`${name} < ${value(operator, operand)}`);
          break;
        case 'ge':
          parts.push(`${name} >= ${value(operator, operand)}`);
          break;
        case 'gt':
          parts.push(`${name} > ${value(operator, operand)}`);
          break;
        case 'contains':
          parts.push(`contains(${name}, ${value(operator, operand)})`);
          break;
        case 'notContains':
          parts.push(`NOT contains(${name}, ${value(operator, operand)})`);
          break;
        case 'beginsWith':
          parts.push(`begins_with(${name}, ${value(operator, operand)})`);
          break;
        case 'between': {
          const [low, high] = operand as [unknown, unknown];
          parts.push(`${name} BETWEEN ${value(`${operator}_0`, low)} AND ${value(`${operator}_1`, high)}`);
          break;
        }
        case 'in': {
          const keys = (operand as unknown[]).map((v, i) => value(`${operator}_${i}`, v));
          parts.push(`${name} IN (${keys.join(', ')})`);
          break;
        }
        case 'attributeExists':
          parts.push(operand ? `attribute_exists(${name})` : `attribute_not_exists(${name})`);
          break;
        case 'attributeType':
          parts.push(`attribute_type(${name}, ${value(operator, operand)})`);
          break;
        case 'size':
          // `{size: {gt: 3}}`: the size of the attribute compared.
          for (const [sizeOp, sizeOperand] of Object.entries(operand as Record<string, unknown>)) {
            const symbol = { eq: '=', ne: '<>', le: '<=', lt: '<', ge: '>=', gt: '>' }[sizeOp];
            if (!symbol) throw new FilterError(`Unsupported size operator ${sizeOp}`);
            parts.push(`size(${name}) ${symbol} ${value(`size_${sizeOp}`, sizeOperand)}`);
          }
          break;
        default:
          throw new FilterError(`Unsupported filter operator ${operator} on ${field}`);
      }
    }
  }
  // One condition stands alone; several are each parenthesized and AND-ed.
  return parts.length === 1 ? (parts[0] ?? '') : parts.map((p) => `(${p})`).join(' AND ');
}

export function toDynamoDBExpression(filter: Record<string, unknown>, marshal: Marshal = toDynamoDB): DynamoExpression | null {
  const out: DynamoExpression = { expression: '', expressionNames: {}, expressionValues: {} };
  out.expression = build(filter ?? {}, out, marshal, { n: 0 });
  return out.expression === '' ? null : out;
}
