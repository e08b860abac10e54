/**
 * EventBridge event patterns (content filtering): a pattern matches an event when every field
 * it names matches; a list of values matches any of them; a field holding a list matches when
 * any element does. Matchers: literal values (strings, numbers, null), `prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard`, `anything-but` (a value, a list or a prefix), `numeric`
 * comparisons, `exists`; nested objects match nested fields.
 */
type Json = unknown;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function numeric(value: unknown, spec: readonly unknown[]): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const bound = Number(spec[i + 1]);
    switch (spec[i]) {
      case '=': if (!(value === bound)) return false; break;
      case '<': if (!(value < bound)) return false; break;
      case '<=': if (!(value <= bound)) return false; break;
      case '>': if (!(value > bound)) return false; break;
      case '>=': if (!(value >= bound)) return false; break;
      default: return false;
    }
  }
  return true;
}

const wildcard = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/** One matcher of a value list against one (present) scalar value. */
function matchesOne(matcher: Json, value: Json): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [kind, spec] = Object.entries(matcher)[0] ?? [];
  switch (kind) {
    case 'prefix':
      return typeof value === 'string' && (isObject(spec) ? value.toLowerCase().startsWith(String(spec['equals-ignore-case']).toLowerCase()) : value.startsWith(String(spec)));
    case 'suffix':
      return typeof value === 'string' && (isObject(spec) ? value.toLowerCase().endsWith(String(spec['equals-ignore-case']).toLowerCase()) : value.endsWith(String(spec)));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(spec).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcard(String(spec)).test(value);
    case 'numeric':
      return numeric(value, spec as unknown[]);
    case 'anything-but':
      if (Array.isArray(spec)) return !spec.some((s) => s === value);
      if (isObject(spec)) return !matchesOne(spec, value);
      return spec !== value;
    default:
      return false;
  }
}

function fieldMatches(matchers: readonly Json[], present: boolean, value: Json): boolean {
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) return matcher['exists'] === present;
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => matchesOne(matcher, v));
  });
}

export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const present = Object.hasOwn(event, key) && event[key] !== undefined;
    const value = event[key];
    if (Array.isArray(expected)) return fieldMatches(expected, present, value);
    if (isObject(expected)) {
      return present && isObject(value) && matchesPattern(expected, value);
    }
    return false;
  });
}
