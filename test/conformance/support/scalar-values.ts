/**
 * One valid value of every AppSync scalar (appsync-behaviour.md §6), the edge-of-format values
 * AppSync also accepts, the values it refuses, and the fixture's echo query: shared by the
 * conformance suite and the simulator's probes, so both ask the same thing.
 */
export const SCALAR_FIELDS = 'date time dateTime timestamp email json url phone ip';

export const ECHO_SCALARS = `query Echo($input: ScalarsInput!) { scalars(input: $input) { ${SCALAR_FIELDS} } }`;

export const VALID_SCALARS: Readonly<Record<string, unknown>> = {
  date: '2024-02-29',
  time: '12:30:45.123',
  dateTime: '2024-02-29T12:30:45.123456789+05:30',
  // 2100-01-01: beyond 32 bits.
  timestamp: 4_102_444_800,
  email: 'someone@example.com',
  json: '{"a":[1,2]}',
  url: 'https://example.com/path?q=1',
  phone: '+1 555 0100',
  ip: '192.168.0.1/24',
};

/** Edge-of-format values AppSync accepts (appsync-behaviour.md §6), as `[field, value]`. */
export const EDGE_VALID_SCALARS: readonly (readonly [string, unknown])[] = [
  ['timestamp', -86_400],
  ['dateTime', '1970-01-01T00:00:00Z'],
  ['time', '23:59'],
  ['ip', '2001:db8::1'],
  ['date', '2024-02-29+01:00'],
];

/** Values AppSync refuses as variables, as `[field, value]`. */
export const INVALID_SCALARS: readonly (readonly [string, unknown])[] = [
  ['date', '2024-13-01'],
  ['time', '25:00:00'],
  ['dateTime', '2024-02-29T12:30:45'],
  ['timestamp', 1.5],
  ['email', 'not-an-email'],
  ['json', '{not json'],
  ['url', 'example.com/no-scheme'],
  ['phone', 'call me'],
  ['ip', '300.1.1.1'],
];
