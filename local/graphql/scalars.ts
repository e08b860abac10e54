import { isIP } from 'node:net';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/**
 * AppSync's built-in scalars, validated as AppSync documents them (appsync-behaviour.md §6) in
 * arguments, variables and results. All but AWSTimestamp and AWSJSON travel as strings.
 */

const DATE = String.raw`\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])`;
const TIME = String.raw`([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?`;
const OFFSET = String.raw`(Z|[+-]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?)`;

const patterns: Readonly<Record<string, RegExp>> = {
  AWSDate: new RegExp(`^${DATE}${OFFSET}?$`),
  AWSTime: new RegExp(`^${TIME}${OFFSET}?$`),
  AWSDateTime: new RegExp(`^${DATE}T${TIME}${OFFSET}$`),
  AWSEmail: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  AWSPhone: /^\+?[\d\s().-]{3,32}$/,
};

const fail = (scalar: string, value: unknown): never => {
  throw new GraphQLError(`Invalid ${scalar} value: ${JSON.stringify(value) ?? String(value)}`);
};

function validString(scalar: string, value: unknown, valid: (text: string) => boolean): string {
  if (typeof value !== 'string' || !valid(value)) return fail(scalar, value);
  return value;
}

const isUrl = (text: string): boolean => {
  // AppSync requires a scheme (`scheme://...` or `mailto:`-style); a bare host is rejected.
  if (!/^[a-zA-Z][a-zA-Z\d+.-]*:/.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
};

const isIpAddress = (text: string): boolean => {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
};

const validators: Readonly<Record<string, (value: unknown) => unknown>> = {
  AWSDate: (v) => validString('AWSDate', v, (t) => patterns['AWSDate']!.test(t)),
  AWSTime: (v) => validString('AWSTime', v, (t) => patterns['AWSTime']!.test(t)),
  AWSDateTime: (v) => validString('AWSDateTime', v, (t) => patterns['AWSDateTime']!.test(t)),
  AWSEmail: (v) => validString('AWSEmail', v, (t) => patterns['AWSEmail']!.test(t)),
  AWSPhone: (v) => validString('AWSPhone', v, (t) => patterns['AWSPhone']!.test(t)),
  AWSURL: (v) => validString('AWSURL', v, isUrl),
  AWSIPAddress: (v) => validString('AWSIPAddress', v, isIpAddress),
  // Seconds since the epoch, negative allowed, beyond 32 bits: any safe integer.
  AWSTimestamp: (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : fail('AWSTimestamp', v)),
};

function literalValue(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
      return ast.value;
    case Kind.INT:
      return Number(ast.value);
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.NULL:
      return null;
    default:
      return undefined;
  }
}

const awsJson = new GraphQLScalarType({
  name: 'AWSJSON',
  // A resolver may return an object (serialized here) or an already-serialized JSON string,
  // which is passed through as is: AppSync does not encode it twice.
  serialize: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
  // Resolvers receive AWSJSON arguments parsed.
  parseValue: (value) => {
    if (typeof value !== 'string') return fail('AWSJSON', value);
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return fail('AWSJSON', value);
    }
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) return fail('AWSJSON', literalValue(ast));
    try {
      return JSON.parse(ast.value) as unknown;
    } catch {
      return fail('AWSJSON', ast.value);
    }
  },
});

export function awsScalars(): GraphQLScalarType[] {
  const scalars = Object.entries(validators).map(
    ([name, validate]) =>
      new GraphQLScalarType({
        name,
        serialize: validate,
        parseValue: validate,
        parseLiteral: (ast) => validate(literalValue(ast)),
      }),
  );
  return [...scalars, awsJson];
}
