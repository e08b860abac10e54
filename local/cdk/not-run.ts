/**
 * At start, one table of everything in the template the local stack does not run, with the
 * reason: nothing is skipped silently. A resource type is either run (RUN), has no local meaning
 * (NO_LOCAL_EFFECT, with why), or is not run; features of run resources that are not run
 * (functions on other runtimes, data sources of other kinds, cron schedules) are listed too.
 */
import { parse } from 'graphql';
import { type IgnoredDirective, appSyncSdl, ignoredDirectives } from '../graphql/appsync-schema.js';
import { SUPPORTED_DATA_SOURCE_TYPES } from '../graphql/data-sources/index.js';
import { SERVED_AWS_SERVICES, awsServiceOfEndpoint } from '../graphql/data-sources/http.js';
import type { Topology } from './topology.js';
import type { CfnTemplate } from './template.js';

/** Resource types some part of the local stack runs (docs/local-stack.md says how). */
const RUN = new Set([
  'AWS::AppSync::GraphQLApi',
  'AWS::AppSync::GraphQLSchema',
  'AWS::AppSync::DataSource',
  'AWS::AppSync::Resolver',
  'AWS::AppSync::FunctionConfiguration',
  'AWS::AppSync::ApiKey',
  'AWS::Lambda::Function',
  'AWS::Lambda::LayerVersion',
  'AWS::Lambda::EventSourceMapping',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::DynamoDB::Table',
  'AWS::S3::Bucket',
  'Custom::S3BucketNotifications',
  'AWS::SNS::Topic',
  'AWS::SNS::Subscription',
  'AWS::SQS::Queue',
  'AWS::Events::Rule',
  'AWS::Events::EventBus',
  'AWS::StepFunctions::StateMachine',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
  'AWS::Cognito::UserPoolGroup',
]);

/** Types with nothing to do on one machine, and why. */
const NO_LOCAL_EFFECT: Readonly<Record<string, string>> = {
  'AWS::CDK::Metadata': 'CDK version metadata',
  'AWS::Lambda::Permission': 'resource policies of functions are not evaluated; only the template\'s own wiring calls them',
  'AWS::Logs::LogGroup': "functions' logs go to the terminal",
  'AWS::SQS::QueuePolicy': 'queue resource policies are not evaluated (role policies are)',
  'AWS::SNS::TopicPolicy': 'topic resource policies are not evaluated (role policies are)',
  'AWS::S3::BucketPolicy': 'bucket policies are not evaluated (role policies and presigned URLs are)',
  'AWS::IAM::ManagedPolicy': 'managed policies are not attached to local principals',
};

export interface NotRunRow {
  readonly what: string;
  readonly type: string;
  readonly reason: string;
}

/**
 * `builtins`: AppSync's declarations the schema is built with (schema/appsync.graphql); a
 * directive the app's schema uses that neither declares is ignored, as AppSync ignores it, and
 * listed here, as it is most likely a misspelt auth directive (`@aws_apikey`).
 */
export function notRun(template: CfnTemplate, topology: Topology, builtins = ''): NotRunRow[] {
  const rows: NotRunRow[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (RUN.has(resource.Type)) continue;
    const quiet = NO_LOCAL_EFFECT[resource.Type];
    rows.push({ what: logicalId, type: resource.Type, reason: quiet ? `no local effect: ${quiet}` : 'not emulated by the local stack' });
  }
  const fieldsOf = (functionLogicalId: string) => {
    const fields = topology.apis.flatMap((api) => {
      const sources = [...api.dataSources.values()].filter((d) => d.functionLogicalId === functionLogicalId).map((d) => d.logicalId);
      return api.resolvers.filter((r) => r.dataSourceLogicalId !== undefined && sources.includes(r.dataSourceLogicalId)).map((r) => `${r.typeName}.${r.fieldName}`);
    });
    return fields.length > 0 ? ` (serves ${fields.join(', ')}: they answer an UnsupportedRuntime error)` : '';
  };
  for (const fn of topology.skippedFunctions) {
    rows.push({ what: fn.logicalId, type: `AWS::Lambda::Function (${fn.runtime ?? 'no runtime'})`, reason: `${fn.reason}${fn.deployTime ? '' : fieldsOf(fn.logicalId)}` });
  }
  for (const source of topology.apis.flatMap((api) => [...api.dataSources.values()])) {
    const service = source.type === 'HTTP' ? awsServiceOfEndpoint((source.properties?.['HttpConfig'] as { Endpoint?: unknown } | undefined)?.Endpoint) : undefined;
    if (service !== undefined && !SERVED_AWS_SERVICES.includes(service)) {
      rows.push({ what: source.logicalId, type: `AWS::AppSync::DataSource (HTTP ${service})`, reason: 'an AWS service the local stack does not serve: its resolvers answer an HttpError' });
    }
    if (SUPPORTED_DATA_SOURCE_TYPES.includes(source.type)) continue;
    rows.push({ what: source.logicalId, type: `AWS::AppSync::DataSource (${source.type})`, reason: 'a data source kind the local stack does not run: its resolvers answer an UnsupportedOperation error' });
  }
  // Once per directive and place, over every API's schema.
  const ignored = new Map(
    topology.apis.flatMap((api) => schemaDirectivesIgnored(api.schema, builtins)).map(({ name, location }) => [`${name}\0${location ?? ''}`, { name, location }]),
  );
  for (const { name, location } of ignored.values()) {
    rows.push(
      location === undefined
        ? { what: `@${name}`, type: 'GraphQL schema directive', reason: 'not an AppSync directive: ignored, as AppSync ignores it' }
        : { what: `@${name} on ${location}`, type: 'GraphQL schema directive', reason: 'no meaning there: ignored, as AppSync ignores it' },
    );
  }
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    if (resource.Type === 'AWS::Events::Rule' && typeof p['ScheduleExpression'] === 'string' && !p['ScheduleExpression'].startsWith('rate(')) {
      rows.push({ what: logicalId, type: 'AWS::Events::Rule (cron)', reason: 'cron schedules are not run (rate schedules are)' });
    }
    if (resource.Type === 'AWS::AppSync::GraphQLApi') {
      if (p['LogConfig']) rows.push({ what: logicalId, type: 'AppSync LogConfig', reason: 'request logs are not written to CloudWatch' });
      if (p['XrayEnabled']) rows.push({ what: logicalId, type: 'AppSync XrayEnabled', reason: 'no tracing locally' });
    }
  }
  return rows;
}

function schemaDirectivesIgnored(schema: string, builtins: string): readonly IgnoredDirective[] {
  try {
    return ignoredDirectives(parse(appSyncSdl(`${builtins}\n${schema}`)));
  } catch {
    return []; // A schema that does not parse fails the start with its own message (the engine's).
  }
}

/** The table as start-up prints it, rows of one type and reason on one line; empty when everything runs. */
export function notRunTable(rows: readonly NotRunRow[]): string {
  if (rows.length === 0) return '';
  const groups = new Map<string, { type: string; reason: string; ids: string[] }>();
  for (const row of rows) {
    const key = `${row.type}\0${row.reason}`;
    const group = groups.get(key) ?? { type: row.type, reason: row.reason, ids: [] };
    group.ids.push(row.what);
    groups.set(key, group);
  }
  const lines = [...groups.values()].map((g) => {
    const what = g.ids.length <= 2 ? g.ids.join(', ') : `${g.ids.slice(0, 2).join(', ')} and ${g.ids.length - 2} more`;
    return { what, type: g.type, reason: g.reason };
  });
  const w1 = Math.min(60, Math.max(...lines.map((l) => l.what.length)));
  const w2 = Math.min(48, Math.max(...lines.map((l) => l.type.length)));
  return `Not run locally (${rows.length}):\n${lines.map((l) => `  ${l.what.padEnd(w1)}  ${l.type.padEnd(w2)}  ${l.reason}`).join('\n')}`;
}
