/** Scalar rows (test/conformance/scalars.test.ts): the same values, through variables and results. */
import { type Endpoint, graphql } from '../client.js';
import type { Probe } from '../probe.js';
import { ECHO_SCALARS, EDGE_VALID_SCALARS, INVALID_SCALARS, SCALAR_FIELDS, VALID_SCALARS } from '../../../../test/conformance/support/scalar-values.js';

const RAW = `query Raw($values: AWSJSON!) { rawScalars(values: $values) { ${SCALAR_FIELDS} } }`;

/** Whether the simulator accepts `value` for `field` as a variable (every ScalarsInput field is nullable). */
async function accepts(endpoint: Endpoint, field: string, value: unknown): Promise<boolean> {
  const { body } = await graphql(endpoint, ECHO_SCALARS, { input: { [field]: value } });
  return !body.errors && body.data?.['scalars'] !== null && body.data?.['scalars'] !== undefined;
}

export const scalarProbes: Probe[] = [
  {
    id: 'scalars.aws',
    behaviour: 'AWS scalars validated in variables and results',
    run: async ({ endpoint }) => {
      const refusedValid: string[] = [];
      for (const [field, value] of [...Object.entries(VALID_SCALARS), ...EDGE_VALID_SCALARS])
        if (!(await accepts(endpoint, field, value))) refusedValid.push(`${field} ${JSON.stringify(value)}`);
      const acceptedInvalid: string[] = [];
      for (const [field, value] of INVALID_SCALARS) if (await accepts(endpoint, field, value)) acceptedInvalid.push(`${field} ${JSON.stringify(value)}`);
      const literal = await graphql(endpoint, '{ scalars(input: { dateTime: "2024-02-29T12:30:45" }) { dateTime } }');
      // Only values the simulator takes as valid, so that nulls come from the invalid ones.
      const accepted = Object.fromEntries(Object.entries(VALID_SCALARS).filter(([field, value]) => !refusedValid.includes(`${field} ${JSON.stringify(value)}`)));
      const raw = await graphql(endpoint, RAW, { values: JSON.stringify({ ...accepted, date: 'not a date', email: 'nobody', timestamp: 'soon' }) });
      const rawData = (raw.body.data?.['rawScalars'] ?? null) as Record<string, unknown> | null;
      const nulled = rawData ? ['date', 'email', 'timestamp'].filter((f) => rawData[f] === null) : [];
      const others = rawData ? Object.keys(accepted).filter((f) => !['date', 'email', 'timestamp'].includes(f) && rawData[f] !== null).length : 0;
      return (
        `variables: ${INVALID_SCALARS.length - acceptedInvalid.length} of ${INVALID_SCALARS.length} invalid values refused` +
        (acceptedInvalid.length ? ` (accepted: ${acceptedInvalid.join(', ')})` : '') +
        `; ${refusedValid.length ? `valid values refused: ${refusedValid.join(', ')}` : 'every valid value accepted'}` +
        `; literal dateTime without offset: ${literal.body.errors ? 'refused' : 'accepted'}` +
        `; invalid results (date, email, timestamp): ${
          rawData ? `${nulled.length} of 3 nulled with ${raw.body.errors?.length ?? 0} errors, ${others} valid fields resolve` : 'the whole field null'
        }`
      );
    },
  },
];
