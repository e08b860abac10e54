/**
 * Java methods VTL templates call on values (`$list.isEmpty()`, `$map.containsKey("id")`,
 * `$str.length()`): AppSync's templates run on Java objects, velocityjs on JavaScript values.
 * velocityjs maps `get`, `put`, `add`, `size`, `keySet`, `entrySet`, `remove` and `subList`
 * itself; these are the rest templates commonly use.
 */
interface Call {
  readonly property: string;
  readonly params: unknown[];
  readonly context: unknown;
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const javaEquals = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const METHODS: Readonly<Record<string, (context: unknown, params: unknown[]) => unknown>> = {
  isEmpty: (c) => (typeof c === 'string' || Array.isArray(c) ? c.length === 0 : isMap(c) ? Object.keys(c).length === 0 : undefined),
  length: (c) => (typeof c === 'string' ? c.length : undefined),
  containsKey: (c, [key]) => (isMap(c) ? Object.hasOwn(c, String(key)) : undefined),
  containsValue: (c, [value]) => (isMap(c) ? Object.values(c).some((v) => javaEquals(v, value)) : undefined),
  contains: (c, [item]) => (typeof c === 'string' ? c.includes(String(item)) : Array.isArray(c) ? c.some((v) => javaEquals(v, item)) : undefined),
  values: (c) => (isMap(c) ? Object.values(c) : undefined),
  putAll: (c, [other]) => (isMap(c) && isMap(other) ? (Object.assign(c, other), undefined) : undefined),
  addAll: (c, [other]) => (Array.isArray(c) && Array.isArray(other) ? (c.push(...(other as unknown[])), true) : undefined),
  equals: (c, [other]) => javaEquals(c, other),
  equalsIgnoreCase: (c, [other]) => typeof c === 'string' && c.toLowerCase() === String(other).toLowerCase(),
  matches: (c, [pattern]) => typeof c === 'string' && new RegExp(`^(?:${String(pattern)})$`).test(c),
  replaceAll: (c, [pattern, replacement]) => (typeof c === 'string' ? c.replace(new RegExp(String(pattern), 'g'), String(replacement)) : undefined),
  // Java's String.replace replaces every occurrence of a literal.
  replace: (c, [target, replacement]) => (typeof c === 'string' ? c.split(String(target)).join(String(replacement)) : undefined),
  intValue: (c) => (typeof c === 'number' ? Math.trunc(c) : undefined),
  longValue: (c) => (typeof c === 'number' ? Math.trunc(c) : undefined),
  doubleValue: (c) => (typeof c === 'number' ? c : undefined),
  toString: (c: unknown) => (typeof c === 'string' ? c : JSON.stringify(c)),
  isBlank: (c) => typeof c === 'string' && c.trim() === '',
};

/** Java methods whose JavaScript namesake differs (String.replace replaces the first match only). */
const OVERRIDDEN = new Set(['replace']);

/** velocityjs `customMethodHandlers`: a Java method on a value that has no JavaScript method of that name. */
export const javaMethodHandlers = Object.entries(METHODS).map(([name, method]) => ({
  uid: `java: ${name}`,
  match: ({ property, context }: Call) =>
    property === name &&
    context !== null &&
    context !== undefined &&
    (OVERRIDDEN.has(name) || typeof (context as Record<string, unknown>)[name] !== 'function'),
  resolve: ({ context, params }: Call) => method(context, params),
}));
