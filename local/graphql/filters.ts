/**
 * Subscription filters: AppSync's enhanced filters (`extensions.setSubscriptionFilter`) and the
 * argument filters they take precedence over. Rules within a filter are AND-ed, filters within
 * the group OR-ed (appsync-behaviour.md §4).
 */

export type FilterOperator =
  | 'eq'
  | 'ne'
  | 'le'
  | 'lt'
  | 'ge'
  | 'gt'
  | 'contains'
  | 'notContains'
  | 'beginsWith'
  | 'in'
  | 'notIn'
  | 'between'
  | 'containsAny';

export interface FilterRule {
  readonly fieldName: string;
  readonly operator: FilterOperator;
  readonly value: unknown;
}

export interface SubscriptionFilter {
  readonly filterGroup: readonly { readonly filters: readonly FilterRule[] }[];
}

const OPERATORS = new Set<string>([
  'eq', 'ne', 'le', 'lt', 'ge', 'gt', 'contains', 'notContains', 'beginsWith', 'in', 'notIn', 'between', 'containsAny',
]);

export class FilterDefinitionError extends Error {
  override readonly name = 'FilterDefinitionError';
}

/** AppSync's limits: dot paths up to 5 levels. Checked when a filter is set, not per event. */
export function validateFilter(filter: unknown): SubscriptionFilter {
  const group = (filter as { filterGroup?: unknown } | null)?.filterGroup;
  if (!Array.isArray(group)) throw new FilterDefinitionError('filterGroup must be a list');
  for (const entry of group) {
    const filters = (entry as { filters?: unknown } | null)?.filters;
    if (!Array.isArray(filters)) throw new FilterDefinitionError('each filterGroup entry needs a filters list');
    for (const rule of filters as Partial<FilterRule>[]) {
      if (typeof rule.fieldName !== 'string' || rule.fieldName.split('.').length > 5) {
        throw new FilterDefinitionError(`invalid fieldName ${JSON.stringify(rule.fieldName)}`);
      }
      if (typeof rule.operator !== 'string' || !OPERATORS.has(rule.operator)) {
        throw new FilterDefinitionError(`unknown operator ${JSON.stringify(rule.operator)}`);
      }
    }
  }
  return filter as SubscriptionFilter;
}

const at = (data: unknown, path: string): unknown => {
  let value = data;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
};

const equal = (a: unknown, b: unknown): boolean => a === b || (a ?? null) === (b ?? null);
/** Compares numbers with numbers and strings with strings; anything else does not match. */
const compare = (a: unknown, b: unknown): number | undefined => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
};

function holds(rule: FilterRule, data: unknown): boolean {
  const actual = at(data, rule.fieldName);
  const expected = rule.value;
  switch (rule.operator) {
    case 'eq':
      return equal(actual, expected);
    case 'ne':
      return !equal(actual, expected);
    case 'lt':
      return (compare(actual, expected) ?? 0) < 0;
    case 'le':
      return (compare(actual, expected) ?? 1) <= 0;
    case 'gt':
      return (compare(actual, expected) ?? 0) > 0;
    case 'ge':
      return (compare(actual, expected) ?? -1) >= 0;
    case 'contains':
      return typeof actual === 'string'
        ? typeof expected === 'string' && actual.includes(expected)
        : Array.isArray(actual) && actual.some((item) => equal(item, expected));
    case 'notContains':
      return typeof actual === 'string'
        ? typeof expected === 'string' && !actual.includes(expected)
        : Array.isArray(actual) && !actual.some((item) => equal(item, expected));
    case 'beginsWith':
      return typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected);
    case 'in':
      return Array.isArray(expected) && expected.some((item) => equal(actual, item));
    case 'notIn':
      return Array.isArray(expected) && !expected.some((item) => equal(actual, item));
    case 'between': {
      if (!Array.isArray(expected) || expected.length !== 2) return false;
      const [low, high] = expected as [unknown, unknown];
      return (compare(actual, low) ?? -1) >= 0 && (compare(actual, high) ?? 1) <= 0;
    }
    case 'containsAny':
      return Array.isArray(actual) && Array.isArray(expected) && expected.some((e) => actual.some((a) => equal(a, e)));
  }
}

export function matchesFilter(filter: SubscriptionFilter, data: unknown): boolean {
  return filter.filterGroup.some((group) => group.filters.every((rule) => holds(rule, data)));
}

/**
 * Subscription arguments as AppSync applies them: equality on same-named top-level fields of
 * the mutation result; an omitted argument filters nothing, an explicit null matches only null.
 */
export function argumentFilter(args: Readonly<Record<string, unknown>>): SubscriptionFilter | undefined {
  const filters = Object.entries(args).map(([fieldName, value]): FilterRule => ({ fieldName, operator: 'eq', value }));
  return filters.length === 0 ? undefined : { filterGroup: [{ filters }] };
}

/**
 * `util.transform.toSubscriptionFilter`: `{ field: { op: value }, or: [...], and: [...] }` to a
 * filter group. Each `or` branch becomes its own filter; `and` merges into the current one.
 */
export function toSubscriptionFilter(
  input: Readonly<Record<string, unknown>>,
  ignoredFields: readonly string[] = [],
): SubscriptionFilter {
  const expand = (spec: Readonly<Record<string, unknown>>): FilterRule[][] => {
    let branches: FilterRule[][] = [[]];
    for (const [key, value] of Object.entries(spec)) {
      if (ignoredFields.includes(key)) continue;
      if (key === 'or' && Array.isArray(value)) {
        const alternatives = value.flatMap((v) => expand(v as Record<string, unknown>));
        branches = branches.flatMap((branch) => alternatives.map((alt) => [...branch, ...alt]));
      } else if (key === 'and' && Array.isArray(value)) {
        for (const part of value) {
          const alternatives = expand(part as Record<string, unknown>);
          branches = branches.flatMap((branch) => alternatives.map((alt) => [...branch, ...alt]));
        }
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const rules = Object.entries(value as Record<string, unknown>).map(
          ([operator, operand]): FilterRule => ({ fieldName: key, operator: operator as FilterOperator, value: operand }),
        );
        branches = branches.map((branch) => [...branch, ...rules]);
      } else {
        branches = branches.map((branch) => [...branch, { fieldName: key, operator: 'eq', value }]);
      }
    }
    return branches;
  };
  return validateFilter({ filterGroup: expand(input).map((filters) => ({ filters })) });
}
