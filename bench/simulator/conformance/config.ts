/**
 * The conformance fixture (test/conformance/fixture/schema.graphql) as amplify-appsync-simulator
 * can serve it: the same schema and the same Lambda handlers, called in this process (the
 * simulator's way of running Lambda data sources), with VTL where the fixture has direct Lambda
 * resolvers or APPSYNC_JS. Only APPSYNC_JS resolvers simple enough to say the same thing in VTL
 * are translated (the way bench/simulator/target.ts translates the product's publishFileEvent);
 * the behaviours of APPSYNC_JS itself are not measured here, the simulator has no APPSYNC_JS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handler as echo } from '../../../test/conformance/fixture/handlers/echo.js';
import { handler as fail } from '../../../test/conformance/fixture/handlers/fail.js';
import { handler as batch } from '../../../test/conformance/fixture/handlers/batch.js';
import { PROJECT_DIR } from '../../lib/paths.js';
import { LAMBDA_REQUEST, LAMBDA_RESPONSE } from '../vtl.js';

export const API_KEY = 'da2-conformancesimulator000000';
export const AUTH_ACCESS_KEY_ID = 'ASIACONFORMANCESIM';
export const ACCOUNT_ID = '123456789012';
export const OIDC_ISSUER = 'https://oidc.conformance.example';
export const USER_POOL_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_CONFORMANCE';

export const FIXTURE_SCHEMA = readFileSync(join(PROJECT_DIR, 'test', 'conformance', 'fixture', 'schema.graphql'), 'utf8');

const BATCH_REQUEST = LAMBDA_REQUEST.replace('"Invoke"', '"BatchInvoke"');
/** AppSync's documented VTL for per-item errors of a BatchInvoke. */
const BATCH_RESPONSE = `#if($ctx.error)
  $util.error($ctx.error.message, $ctx.error.type)
#end
#if($ctx.result.errorMessage)
  $util.error($ctx.result.errorMessage, $ctx.result.errorType)
#end
$util.toJson($ctx.result.data)`;
const PASS = '$util.toJson($ctx.result)';
const none = (payload: string) => `{ "version": "2018-05-29", "payload": ${payload} }`;

const list = (count: string, item: string) => `#set($items = [])
#if(${count} > 0)
#set($max = ${count} - 1)
#foreach($i in [0..$max])
$util.qr($items.add(${item}))
#end
#end
${none('$util.toJson($items)')}`;

const NODE_CHAIN = (() => {
  let chain: Record<string, unknown> = { id: 'n11' };
  for (const id of ['n10', 'n9', 'n8', 'n7', 'n6', 'n5', 'n4', 'n3', 'n2']) chain = { id, child: chain, strictChild: chain };
  return JSON.stringify({ id: 'n1', child: chain, strictChild: chain });
})();

const PUBLISH_REQUEST = `#set($m = {})
$util.qr($m.putAll($ctx.args))
$util.qr($m.put("required", "always set"))
${none('$util.toJson($m)')}`;

interface Template {
  readonly path: string;
  readonly content: string;
}
interface UnitResolver {
  readonly kind: 'UNIT';
  readonly typeName: string;
  readonly fieldName: string;
  readonly dataSourceName: string;
  readonly requestMappingTemplateLocation: string;
  readonly responseMappingTemplateLocation: string;
}

export interface SimulatorConfig {
  readonly schema: { readonly content: string };
  readonly dataSources: readonly unknown[];
  readonly mappingTemplates: readonly Template[];
  readonly resolvers: readonly unknown[];
  readonly appSync: unknown;
}

export interface ConfigOptions {
  /** Replaces the fixture schema (hot reload and schema-check probes). */
  readonly schema?: string;
  /** Extra templates by path, replacing those of the same path. */
  readonly templates?: Readonly<Record<string, string>>;
  /** Counts Lambda invocations by data source, for BatchInvoke. */
  readonly onInvoke?: (dataSource: string, payload: unknown) => void;
  readonly withLambdaAuthorizer?: boolean;
}

export function simulatorConfig(options: ConfigOptions = {}): SimulatorConfig {
  const templates: Record<string, string> = {
    'lambda.req.vtl': LAMBDA_REQUEST,
    'lambda.res.vtl': LAMBDA_RESPONSE,
    'batch.req.vtl': BATCH_REQUEST,
    'batch.res.vtl': BATCH_RESPONSE,
    'pass.res.vtl': PASS,
    'field-name.req.vtl': none('null'),
    'field-name.res.vtl': '$util.toJson($ctx.info.fieldName)',
    'guarded.req.vtl': none('{ "inherited": "inherited", "overridden": "overridden", "open": "open" }'),
    'parents.req.vtl': list('$ctx.args.count', '{ "index": $i, "failAt": $util.defaultIfNull($ctx.args.failAt, -1) }'),
    'counted.req.vtl': list('$ctx.args.n', '{ "index": $i }'),
    'counted-value.req.vtl': none('null'),
    'counted-value.res.vtl': '$util.toJson($ctx.source.index)',
    'scalars.req.vtl': none('$util.toJson($ctx.args.input)'),
    'raw-scalars.req.vtl': none('$util.toJson($ctx.args.values)'),
    'node.req.vtl': none(NODE_CHAIN),
    'publish.req.vtl': PUBLISH_REQUEST,
    'publish-with-error.res.vtl': '$util.appendError("appended by the resolver", "AppendedError")\n$util.toJson($ctx.result)',
    'invalidate.req.vtl': none('{ "channel": $util.toJson($ctx.args.channel) }'),
    // VTL's spelling of the fixture's `extensions` calls; the simulator gives templates no $extensions.
    'invalidate.res.vtl':
      '$extensions.invalidateSubscriptions({ "subscriptionField": "onChannel", "payload": { "channel": $ctx.args.channel } })\n$util.toJson($ctx.result)',
    'subscription.req.vtl': none('null'),
    'on-filtered.res.vtl': '$extensions.setSubscriptionFilter($util.transform.toSubscriptionFilter($ctx.args.filter))\n$util.toJson(null)',
    'on-channel.res.vtl':
      '$extensions.setSubscriptionInvalidationFilter({ "filterGroup": [{ "filters": [{ "fieldName": "channel", "operator": "eq", "value": $ctx.args.channel }] }] })\n$util.toJson(null)',
    ...options.templates,
  };
  const unit = (typeName: string, fieldName: string, dataSourceName: string, request: string, response: string): UnitResolver => ({
    kind: 'UNIT',
    typeName,
    fieldName,
    dataSourceName,
    requestMappingTemplateLocation: request,
    responseMappingTemplateLocation: response,
  });
  const noteInvoke = (name: string, payload: unknown) => options.onInvoke?.(name, payload);
  const authFields = ['defaultOnly', 'apiKeyOnly', 'iamOnly', 'oidcOnly', 'lambdaOnly', 'adminsOnly', 'legacyAdminsOnly', 'deniedByName', 'deniedByArn'];
  return {
    schema: { content: options.schema ?? FIXTURE_SCHEMA },
    dataSources: [
      { type: 'NONE', name: 'None' },
      {
        type: 'AWS_LAMBDA',
        name: 'EchoSource',
        invoke: async (payload: { arguments?: { label?: unknown } }) => {
          noteInvoke('EchoSource', payload);
          // One label makes the Lambda answer its AWSJSON field as a JSON string, not an object.
          if (payload.arguments?.label === 'json-as-string') return { label: 'json-as-string', json: JSON.stringify({ a: 1 }) };
          return echo(payload);
        },
      },
      {
        type: 'AWS_LAMBDA',
        name: 'FailSource',
        invoke: (payload: Parameters<typeof fail>[0]) => {
          noteInvoke('FailSource', payload);
          return fail(payload);
        },
      },
      {
        type: 'AWS_LAMBDA',
        name: 'BatchSource',
        invoke: (payload: Parameters<typeof batch>[0]) => {
          noteInvoke('BatchSource', payload);
          return batch(payload);
        },
      },
    ],
    mappingTemplates: Object.entries(templates).map(([path, content]) => ({ path, content })),
    resolvers: [
      ...authFields.map((field) => unit('Query', field, 'None', 'field-name.req.vtl', 'field-name.res.vtl')),
      unit('Query', 'guarded', 'None', 'guarded.req.vtl', 'pass.res.vtl'),
      unit('Query', 'event', 'EchoSource', 'lambda.req.vtl', 'lambda.res.vtl'),
      unit('EventView', 'child', 'EchoSource', 'lambda.req.vtl', 'lambda.res.vtl'),
      unit('Query', 'fail', 'FailSource', 'lambda.req.vtl', 'lambda.res.vtl'),
      unit('Query', 'parents', 'None', 'parents.req.vtl', 'pass.res.vtl'),
      unit('Parent', 'batched', 'BatchSource', 'batch.req.vtl', 'batch.res.vtl'),
      unit('Query', 'scalars', 'None', 'scalars.req.vtl', 'pass.res.vtl'),
      unit('Query', 'rawScalars', 'None', 'raw-scalars.req.vtl', 'pass.res.vtl'),
      unit('Query', 'node', 'None', 'node.req.vtl', 'pass.res.vtl'),
      unit('Query', 'counted', 'None', 'counted.req.vtl', 'pass.res.vtl'),
      unit('Counted', 'value', 'None', 'counted-value.req.vtl', 'counted-value.res.vtl'),
      unit('Mutation', 'publish', 'None', 'publish.req.vtl', 'pass.res.vtl'),
      unit('Mutation', 'publishWithError', 'None', 'publish.req.vtl', 'publish-with-error.res.vtl'),
      unit('Mutation', 'invalidate', 'None', 'invalidate.req.vtl', 'invalidate.res.vtl'),
      unit('Subscription', 'onFiltered', 'None', 'subscription.req.vtl', 'on-filtered.res.vtl'),
      unit('Subscription', 'onChannel', 'None', 'subscription.req.vtl', 'on-channel.res.vtl'),
    ],
    appSync: {
      name: 'conformance',
      defaultAuthenticationType: { authenticationType: 'AMAZON_COGNITO_USER_POOLS', cognitoUserPoolConfig: {} },
      additionalAuthenticationProviders: [
        { authenticationType: 'API_KEY' },
        { authenticationType: 'AWS_IAM' },
        { authenticationType: 'OPENID_CONNECT', openIDConnectConfig: { Issuer: OIDC_ISSUER, ClientId: 'conformance' } },
        ...(options.withLambdaAuthorizer === false
          ? []
          : [{ authenticationType: 'AWS_LAMBDA', lambdaAuthorizerConfig: { AuthorizerUri: 'conformance-authorizer', AuthorizerResultTtlInSeconds: 300 } }]),
      ],
      apiKey: API_KEY,
      authAccessKeyId: AUTH_ACCESS_KEY_ID,
      accountId: ACCOUNT_ID,
    },
  };
}
