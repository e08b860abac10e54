/**
 * SNS subscription filter policies, as the SNS developer guide defines them: every key of the
 * policy must match (AND), any condition of a key's list may (OR). Conditions: exact string or
 * number, `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (values or a prefix),
 * `numeric` ranges, `exists`. With the `MessageAttributes` scope (the default) keys name message
 * attributes (a `String.Array` attribute matches when any element does); with `MessageBody`
 * keys are paths into the JSON body, nested as objects, and an array matches when any element does.
 */

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

export interface PublishedAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
}

type Condition = unknown;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function numericMatches(rule: readonly unknown[], value: number): boolean {
  for (let i = 0; i + 1 < rule.length; i += 2) {
    const op = rule[i];
    const bound = Number(rule[i + 1]);
    const ok =
      op === '=' ? value === bound : op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : op === '>=' ? value >= bound : false;
    if (!ok) return false;
  }
  return true;
}

/** Whether one present value matches one condition. */
function valueMatches(condition: Condition, value: string | number): boolean {
  if (typeof condition === 'string') return typeof value === 'string' && value === condition;
  if (typeof condition === 'number') return Number(value) === condition;
  if (!isObject(condition)) return false;
  if ('prefix' in condition) return typeof value === 'string' && value.startsWith(String(condition['prefix']));
  if ('suffix' in condition) return typeof value === 'string' && value.endsWith(String(condition['suffix']));
  if ('equals-ignore-case' in condition) {
    return typeof value === 'string' && value.toLowerCase() === String(condition['equals-ignore-case']).toLowerCase();
  }
  if ('numeric' in condition) {
    const number = Number(value);
    return Array.isArray(condition['numeric']) && !Number.isNaN(number) && numericMatches(condition['numeric'], number);
  }
  if ('anything-but' in condition) {
    const excluded = condition['anything-but'];
    if (isObject(excluded) && 'prefix' in excluded) return !(typeof value === 'string' && value.startsWith(String(excluded['prefix'])));
    const list = Array.isArray(excluded) ? excluded : [excluded];
    return !list.some((item) => (typeof item === 'number' ? Number(value) === item : item === value));
  }
  return false;
}

/** The values under `key`, or undefined when the key is absent. */
type Present = readonly (string | number)[] | undefined;

function keyMatches(conditions: unknown, present: Present): boolean {
  const list = Array.isArray(conditions) ? conditions : [conditions];
  return list.some((condition) => {
    if (isObject(condition) && 'exists' in condition) return condition['exists'] === (present !== undefined);
    if (present === undefined) return false;
    return present.some((value) => valueMatches(condition, value));
  });
}

function attributeValues(attribute: PublishedAttribute | undefined): Present {
  if (attribute === undefined) return undefined;
  const raw = attribute.StringValue ?? '';
  if (attribute.DataType === 'Number') return [Number(raw)];
  if (attribute.DataType === 'String.Array') {
    try {
      const parsed = JSON.parse(raw) as unknown;
      return Array.isArray(parsed) ? parsed.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number') : [raw];
    } catch {
      return [raw];
    }
  }
  if (attribute.DataType.startsWith('Binary')) return undefined;
  return [raw];
}

function bodyMatches(policy: Record<string, unknown>, body: unknown): boolean {
  return Object.entries(policy).every(([key, conditions]) => {
    const nodes = (Array.isArray(body) ? body : [body]).filter(isObject).map((node) => node[key]);
    const present = nodes.filter((n) => n !== undefined);
    if (isObject(conditions)) {
      // A nested policy: some element under the key must match it.
      return present.flatMap((n) => (Array.isArray(n) ? n : [n])).some((n) => bodyMatches(conditions, n));
    }
    const values = present
      .flatMap((n) => (Array.isArray(n) ? n : [n]))
      .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
    return keyMatches(conditions, present.length === 0 ? undefined : values);
  });
}

export function matchesFilterPolicy(
  policy: Record<string, unknown>,
  scope: FilterPolicyScope,
  message: { readonly body: string; readonly attributes: Readonly<Record<string, PublishedAttribute>> },
): boolean {
  if (scope === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(message.body);
    } catch {
      return false;
    }
    return bodyMatches(policy, body);
  }
  return Object.entries(policy).every(([key, conditions]) => keyMatches(conditions, attributeValues(message.attributes[key])));
}
