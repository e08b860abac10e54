import { describe, expect, it } from 'vitest';
import { apiKey, graphql } from './support/http.js';
import { ECHO_SCALARS, EDGE_VALID_SCALARS, INVALID_SCALARS, SCALAR_FIELDS, VALID_SCALARS } from './support/scalar-values.js';

/**
 * AppSync's scalars (appsync-behaviour.md §6), validated in the three places a value passes:
 * literal arguments, variables, and results.
 */


describe('scalars in variables', () => {
  it('given a valid value of every AppSync scalar as a variable, when it is echoed, then each comes back unchanged', async () => {
    const response = await graphql(apiKey(), ECHO_SCALARS, { input: VALID_SCALARS });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ scalars: VALID_SCALARS });
  });

  it.each(INVALID_SCALARS)('given an invalid %s variable (%j), when the query is sent, then nothing runs and the error is a validation error', async (field, value) => {
    const response = await graphql(apiKey(), ECHO_SCALARS, { input: { ...VALID_SCALARS, [field]: value } });
    expect(response.status).toBe(200);
    expect(response.data).toBeNull();
    expect(response.errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', message: expect.stringContaining(field) })]);
  });

  it.each(EDGE_VALID_SCALARS)('given the edge-of-format %s %j, when it is echoed, then it is accepted', async (field, value) => {
    const response = await graphql<{ scalars: Record<string, unknown> }>(apiKey(), ECHO_SCALARS, { input: { ...VALID_SCALARS, [field]: value } });
    expect(response.errors).toBeUndefined();
    expect(response.data?.scalars[field]).toEqual(value);
  });
});

describe('scalars in literal arguments', () => {
  it('given valid literals, when they are echoed, then they come back', async () => {
    const response = await graphql(apiKey(), `{ scalars(input: { date: "2024-01-31", timestamp: 4102444800, json: "[1]", url: "mailto:a@example.com" }) { date timestamp json url } }`);
    expect(response).toMatchObject({ data: { scalars: { date: '2024-01-31', timestamp: 4_102_444_800, json: '[1]', url: 'mailto:a@example.com' } }, errors: undefined });
  });

  it('given an invalid AWSDateTime literal, when the query is sent, then it fails validation and nothing runs', async () => {
    const response = await graphql(apiKey(), '{ scalars(input: { dateTime: "yesterday" }) { dateTime } }');
    expect(response.data).toBeNull();
    expect(response.errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', path: null })]);
  });
});

describe('scalars in results', () => {
  it('given a resolver returning an object for AWSJSON and valid values for the others, when read, then AWSJSON is serialized once and the others pass', async () => {
    const values = { ...VALID_SCALARS, json: { nested: [1, 'two'] } };
    const response = await graphql(apiKey(), `query R($v: AWSJSON!) { rawScalars(values: $v) { ${SCALAR_FIELDS} } }`, { v: JSON.stringify(values) });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ rawScalars: { ...VALID_SCALARS, json: '{"nested":[1,"two"]}' } });
  });

  it('given a resolver returning invalid values, when read, then each invalid field is null with an error at its path and the valid ones resolve', async () => {
    const values = { ...VALID_SCALARS, date: 'not a date', email: 'nobody', timestamp: 'soon' };
    const response = await graphql<{ rawScalars: Record<string, unknown> }>(apiKey(), `query R($v: AWSJSON!) { rawScalars(values: $v) { ${SCALAR_FIELDS} } }`, {
      v: JSON.stringify(values),
    });
    expect(response.data?.rawScalars).toEqual({ ...VALID_SCALARS, date: null, email: null, timestamp: null });
    expect((response.errors ?? []).map((e) => e.path)).toEqual([
      ['rawScalars', 'date'],
      ['rawScalars', 'timestamp'],
      ['rawScalars', 'email'],
    ]);
  });
});
