import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTH_MODES_OUTPUT, buildApp } from '../../infra/build-app.js';
import { ServiceFunction } from '../../infra/constructs/service-function.js';
import { IDEMPOTENCY_TTL_ATTRIBUTE, isIdempotencyTable } from '../../infra/aspects/data-protection.js';
import { XRAY_WRITE_ACTIONS } from '../../infra/aspects/function-defaults.js';
import { STATE_MACHINE_LOG_DELIVERY_ACTIONS, STATE_MACHINE_TRACE_ACTIONS } from '../../infra/aspects/workflows.js';
import { QUARANTINE_PREFIX, THUMBNAILS_PREFIX } from '../../infra/constructs/uploads-bucket.js';
import { RATE_LIMIT_RULE } from '../../infra/constructs/security/api-firewall.js';
import { LOCAL_ENTRY_METADATA } from '../../infra/constructs/service-function.js';
import { repoPath } from '../../infra/paths.js';
import { settingsFor } from '../../infra/stage.js';
import type { AppSyncLambdaStack } from '../../infra/stack.js';
import { asList, identityStatements, resourcesOf, synthesize, testProjectRoot } from './synth.js';

/**
 * Issue 7, "Production infrastructure": one test per point of its sections 2 (security),
 * 3 (observability) and 4 (cold starts), each named after the point, against both stages.
 * One file, over 400 lines: it mirrors the issue point by point, and both stages are
 * synthesized once for all of them (seconds each).
 */

const HOOK_TIMEOUT = 120_000;
let dev: { stack: AppSyncLambdaStack; template: Template };
let prod: { stack: AppSyncLambdaStack; template: Template };

beforeAll(() => {
  dev = synthesize();
  prod = synthesize({ stage: 'prod', stackName: 'FilesProd', provisionedConcurrency: 2, alarmEmail: 'oncall@example.com' });
}, HOOK_TIMEOUT);

const both = () => [dev, prod].map(({ stack, template }) => ({ stage: stack.stage, stack, template }));
type Resources = ReturnType<typeof resourcesOf>;
const serviceFunctions = (template: Template): Resources =>
  template.findResources('AWS::Lambda::Function', { Metadata: { [LOCAL_ENTRY_METADATA]: Match.anyValue() } }) as Resources;
const refOf = (value: unknown): string | undefined => {
  const record = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return record?.Ref ?? record?.['Fn::GetAtt']?.[0];
};
const isDataKey = (value: unknown) => /DataKey/.test(JSON.stringify(value));

/**
 * The documented log cases among roles (docs/operations.md, "Security notes"): CDK's own
 * singleton handlers, whose roles keep AWS's basic execution policy (log writes on `*`). The
 * role's logical id starts with the name.
 */
const CDK_HANDLERS_WITH_BASIC_EXECUTION = [
  {
    role: 'BucketNotificationsHandler',
    reason: 'configures the uploads bucket\'s notifications at deploy; writes only its own logs, and CDK scopes s3:PutBucketNotification to the bucket',
  },
  {
    role: 'CustomS3AutoDeleteObjects',
    reason: 'dev only (removal policy DESTROY): empties the buckets on destroy; writes only its own logs; its S3 permissions come from those buckets\' policies, on those buckets only',
  },
] as const;

describe('2. Security', () => {
  it('no `*` action or resource outside the documented log cases', () => {
    // The documented cases (docs/operations.md): X-Ray trace writes, and Step Functions'
    // log delivery; neither service has resource-level permissions.
    const documented = new Set([...XRAY_WRITE_ACTIONS, ...STATE_MACHINE_TRACE_ACTIONS, ...STATE_MACHINE_LOG_DELIVERY_ACTIONS]);
    for (const { stage, template } of both()) {
      for (const statement of identityStatements(template).filter((s) => s.Effect === 'Allow')) {
        const actions = asList(statement.Action as string | string[]);
        expect(actions.filter((action) => action === '*' || action.endsWith(':*')), `${stage} ${statement.policy}`).toEqual([]);
        if (asList(statement.Resource).includes('*')) {
          expect(actions.filter((action) => !documented.has(action)), `${stage} ${statement.policy}`).toEqual([]);
        }
      }
      // AWS's managed policies with `*` are not used by service roles either: only by CDK's own
      // handlers, the documented log cases, and by them only the basic execution policy.
      for (const [id, role] of Object.entries(resourcesOf(template, 'AWS::IAM::Role'))) {
        const managed = JSON.stringify(role.Properties?.['ManagedPolicyArns'] ?? []);
        const handler = CDK_HANDLERS_WITH_BASIC_EXECUTION.find(({ role: prefix }) => id.startsWith(prefix));
        if (handler !== undefined) {
          // That policy and nothing else.
          expect(asList(role.Properties?.['ManagedPolicyArns'] as unknown[]), `${stage} ${id}: ${handler.reason}`).toHaveLength(1);
          expect(managed, `${stage} ${id}: ${handler.reason}`).toMatch(/service-role\/AWSLambdaBasicExecutionRole"/);
          continue;
        }
        expect(managed, `${stage} ${id}`).not.toMatch(/AWSLambdaBasicExecutionRole|AWSAppSyncPushToCloudWatchLogs/);
      }
    }
    // Each exemption is one docs/operations.md names as a documented log case.
    const securityNotes = readFileSync(repoPath('docs/operations.md'), 'utf8').split('### Security notes')[1]?.split('\n## ')[0] ?? '';
    for (const { role } of CDK_HANDLERS_WITH_BASIC_EXECUTION) expect(securityNotes, role).toContain(`\`${role}\``);
  });

  it('KMS customer-managed keys for tables, queues, topics and bucket where the service allows', () => {
    for (const { stage, template } of both()) {
      const keys = resourcesOf(template, 'AWS::KMS::Key');
      expect(Object.values(keys).every((key) => key.Properties?.['EnableKeyRotation'] === true)).toBe(true);
      for (const [id, table] of Object.entries(resourcesOf(template, 'AWS::DynamoDB::Table'))) {
        expect(table.Properties?.['SSESpecification'], `${stage} ${id}`).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
        expect(isDataKey(table.Properties?.['SSESpecification']), `${stage} ${id}`).toBe(true);
      }
      for (const [id, queue] of Object.entries(resourcesOf(template, 'AWS::SQS::Queue'))) {
        expect(isDataKey(queue.Properties?.['KmsMasterKeyId']), `${stage} ${id}`).toBe(true);
      }
      for (const [id, topic] of Object.entries(resourcesOf(template, 'AWS::SNS::Topic'))) {
        expect(isDataKey(topic.Properties?.['KmsMasterKeyId']), `${stage} ${id}`).toBe(true);
      }
      const buckets = Object.entries(resourcesOf(template, 'AWS::S3::Bucket'));
      const logDestinations = new Set(buckets.map(([, bucket]) => refOf((bucket.Properties?.['LoggingConfiguration'] as { DestinationBucketName?: unknown } | undefined)?.DestinationBucketName)));
      for (const [id, bucket] of buckets) {
        const sse = JSON.stringify(bucket.Properties?.['BucketEncryption']);
        // S3 delivers server access logs only to SSE-S3 buckets.
        expect(sse, `${stage} ${id}`).toContain(logDestinations.has(id) ? 'AES256' : 'aws:kms');
      }
    }
  });

  it('no secret in plain environment variables (SSM or Secrets Manager, read at init and cached)', () => {
    const secretLike = /SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL/i;
    const reference = /_(ARN|NAME|PARAMETER|PARAM)$/;
    for (const { stage, template } of both()) {
      for (const [id, fn] of Object.entries(resourcesOf(template, 'AWS::Lambda::Function'))) {
        const variables = ((fn.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
        for (const [name, value] of Object.entries(variables)) {
          if (!secretLike.test(name)) continue;
          // Allowed: the name or ARN of a parameter or secret, which the handler reads at init.
          expect(reference.test(name), `${stage} ${id} ${name}=${JSON.stringify(value)}`).toBe(true);
        }
      }
    }
  });

  it('API key with an explicit expiry', () => {
    for (const { template } of both()) {
      const keys = Object.values(resourcesOf(template, 'AWS::AppSync::ApiKey'));
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const days = ((key.Properties?.['Expires'] as number) - Date.now() / 1000) / 86_400;
        expect(days).toBeGreaterThan(1);
        expect(days).toBeLessThanOrEqual(365);
      }
    }
  });

  it('in prod, AppSync introspectionConfig DISABLED, queryDepthLimit and resolverCountLimit set, and a WAF web ACL with a rate-based rule', () => {
    prod.template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      IntrospectionConfig: 'DISABLED',
      QueryDepthLimit: Match.anyValue(),
      ResolverCountLimit: Match.anyValue(),
    });
    prod.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({ Name: RATE_LIMIT_RULE, Action: { Block: {} }, Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'IP' }) } }),
      ]),
    });
    const [apiId] = Object.keys(resourcesOf(prod.template, 'AWS::AppSync::GraphQLApi'));
    prod.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: { 'Fn::GetAtt': [apiId, 'Arn'] } });
    prod.template.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
    // dev: same limits, introspection on for tools, no firewall.
    dev.template.hasResourceProperties('AWS::AppSync::GraphQLApi', { IntrospectionConfig: 'ENABLED', QueryDepthLimit: Match.anyValue() });
    dev.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('S3 versioning, lifecycle for thumbnails and quarantine, access logs', () => {
    for (const { template } of both()) {
      template.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') }, LogFilePrefix: Match.anyValue() },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ Prefix: THUMBNAILS_PREFIX, NoncurrentVersionExpiration: Match.anyValue(), Status: 'Enabled' }),
            Match.objectLike({ Prefix: QUARANTINE_PREFIX, ExpirationInDays: Match.anyValue(), Status: 'Enabled' }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: Match.anyValue() })] },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      });
    }
  });

  it('DynamoDB point-in-time recovery and TTL for idempotency records', () => {
    for (const { stage, stack, template } of both()) {
      for (const [id, table] of Object.entries(resourcesOf(template, 'AWS::DynamoDB::Table'))) {
        expect(table.Properties?.['PointInTimeRecoverySpecification'], `${stage} ${id}`).toMatchObject({ PointInTimeRecoveryEnabled: true });
      }
      const idempotencyTables = stack.node.findAll().filter((c) => c.node.id === 'Resource' && c.node.scope !== undefined && (c as { cfnResourceType?: string }).cfnResourceType === 'AWS::DynamoDB::Table' && isIdempotencyTable(c));
      for (const table of idempotencyTables) {
        const id = stack.resolve((table as unknown as { logicalId: string }).logicalId) as string;
        expect(resourcesOf(template, 'AWS::DynamoDB::Table')[id]?.Properties?.['TimeToLiveSpecification'], `${stage} ${table.node.path}`).toEqual({
          AttributeName: IDEMPOTENCY_TTL_ATTRIBUTE,
          Enabled: true,
        });
      }
    }
    for (const [id, table] of Object.entries(resourcesOf(prod.template, 'AWS::DynamoDB::Table'))) {
      if (table.DeletionPolicy === 'Retain') expect(table.Properties?.['DeletionProtectionEnabled'], id).toBe(true);
    }
  });
});

describe('3. Observability', () => {
  it('AppSync field logs and X-Ray', () => {
    for (const { template } of both()) {
      template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
        XrayEnabled: true,
        LogConfig: { FieldLogLevel: 'ERROR', ExcludeVerboseContent: true, CloudWatchLogsRoleArn: Match.anyValue() },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: { 'Fn::Join': ['', ['/aws/appsync/apis/', Match.anyValue()]] },
        RetentionInDays: Match.anyValue(),
      });
    }
  });

  it('every function with Powertools, active tracing, log retention and JSON log format', () => {
    for (const { stage, template } of both()) {
      const logGroups = resourcesOf(template, 'AWS::Logs::LogGroup');
      const functions = Object.entries(serviceFunctions(template));
      expect(functions.length).toBeGreaterThanOrEqual(2);
      for (const [id, fn] of functions) {
        expect(fn.Properties, `${stage} ${id}`).toMatchObject({ TracingConfig: { Mode: 'Active' }, LoggingConfig: { LogFormat: 'JSON' } });
        const variables = (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
        expect(typeof variables['POWERTOOLS_SERVICE_NAME'], `${stage} ${id}`).toBe('string');
        const logGroup = logGroups[refOf((fn.Properties?.['LoggingConfig'] as { LogGroup?: unknown }).LogGroup) ?? ''];
        expect(typeof logGroup?.Properties?.['RetentionInDays'], `${stage} ${id}`).toBe('number');
        // A function that sets none gets the stage's.
        if (/files-api|file-changes-api|process-upload/.test(String(fn.Metadata?.[LOCAL_ENTRY_METADATA]))) {
          expect(logGroup?.Properties?.['RetentionInDays'], `${stage} ${id}`).toBe(stage === 'prod' ? 90 : 14);
        }
      }
      // The handlers use Powertools: the logger every handler's log lines go through.
      expect(readFileSync(repoPath('resolvers/shared/logger.ts'), 'utf8')).toContain('@aws-lambda-powertools/logger');
    }
  });

  it('Step Functions logging and tracing', () => {
    for (const { stage, template } of both()) {
      for (const [id, machine] of Object.entries(resourcesOf(template, 'AWS::StepFunctions::StateMachine'))) {
        expect(machine.Properties, `${stage} ${id}`).toMatchObject({
          TracingConfiguration: { Enabled: true },
          LoggingConfiguration: { Level: 'ALL', Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: expect.anything() } }] },
        });
      }
    }
  });

  it('CloudWatch alarms for function error rate, throttles and p99 duration, DLQ depth above zero, AppSync 5xx and latency, state machine failed executions, each to an SNS alarm topic', () => {
    for (const { stage, template } of both()) {
      const all = Object.entries(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
      const alarms = all.filter(([id]) => id.startsWith('OperationsAlarms')).map(([, alarm]) => alarm.Properties ?? {});
      // Alarms other constructs define notify the topic too.
      for (const [id, alarm] of all) expect(alarm.Properties?.['AlarmActions'], `${stage} ${id}`).toBeDefined();
      const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: 'Alarms' } }));
      for (const alarm of alarms) {
        expect(alarm['AlarmActions'], stage).toEqual([{ Ref: topicId }]);
        expect(alarm['OKActions'], stage).toEqual([{ Ref: topicId }]);
        expect(String(alarm['AlarmDescription'])).toMatch(/Runbook: docs\/operations\.md#/);
      }
      const text = (alarm: Record<string, unknown>) => JSON.stringify(alarm);
      const count = (pattern: RegExp) => alarms.filter((alarm) => pattern.test(text(alarm))).length;
      const functions = Object.keys(serviceFunctions(template)).length;
      expect(count(/100 \* errors \/ invocations/)).toBe(functions);
      expect(count(/"MetricName":"Throttles"/)).toBe(functions);
      expect(alarms.filter((alarm) => alarm['MetricName'] === 'Duration' && alarm['ExtendedStatistic'] === 'p99')).toHaveLength(functions);
      expect(count(/5XXError/)).toBe(1);
      expect(alarms.filter((alarm) => alarm['MetricName'] === 'Latency' && alarm['ExtendedStatistic'] === 'p99')).toHaveLength(1);
      expect(count(/ExecutionsFailed/)).toBe(Object.keys(resourcesOf(template, 'AWS::StepFunctions::StateMachine')).length);
      const dlqAlarms = alarms.filter((alarm) => alarm['MetricName'] === 'ApproximateNumberOfMessagesVisible');
      expect(dlqAlarms.length).toBeGreaterThan(0);
      for (const alarm of dlqAlarms) expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
    prod.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('one CloudWatch dashboard for the pipeline and the saga', () => {
    for (const { template } of both()) {
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      const body = JSON.stringify(Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0]?.Properties?.['DashboardBody']);
      for (const fn of Object.keys(serviceFunctions(template))) expect(body).toContain(fn);
      for (const queue of Object.keys(resourcesOf(template, 'AWS::SQS::Queue'))) expect(body).toContain(queue);
      for (const machine of Object.keys(resourcesOf(template, 'AWS::StepFunctions::StateMachine'))) expect(body).toContain(machine);
      expect(body).toContain('AWS/AppSync');
    }
  });
});

describe('4. Cold starts', () => {
  it('arm64, nodejs22.x', () => {
    for (const { stage, template } of both()) {
      for (const [id, fn] of Object.entries(serviceFunctions(template))) {
        expect(fn.Properties, `${stage} ${id}`).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
      }
    }
  });

  it('esbuild minify with source maps, the AWS SDK bundled', () => {
    const functions = dev.stack.node.findAll().filter((c): c is ServiceFunction => c instanceof ServiceFunction);
    expect(functions.length).toBeGreaterThanOrEqual(2);
    for (const fn of functions) {
      expect(fn.bundling, fn.node.path).toMatchObject({ minify: true, sourceMap: true, format: 'esm', target: 'node22' });
      // The SDK is bundled (tree-shaken, one file to compile at init), not loaded from the runtime.
      expect(fn.bundling.externalModules ?? []).not.toContain('@aws-sdk/*');
    }
    for (const [id, fn] of Object.entries(serviceFunctions(dev.template))) {
      expect((fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables['NODE_OPTIONS'], id).toBe('--enable-source-maps');
    }
  });

  it('AWS SDK v3 clients created once at init', () => {
    // Every `new XxxClient(` is a module-level constant or a memoized (`??=`) lazy one, never
    // constructed per invocation inside a handler function.
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const full = path.join(dir, name);
        return statSync(full).isDirectory() ? (name === 'generated' ? [] : files(full)) : full.endsWith('.ts') ? [full] : [];
      });
    const offenders: string[] = [];
    for (const file of files(repoPath('resolvers'))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (!/new [A-Z]\w*Client\(/.test(line)) return;
        for (let i = index; i >= 0; i -= 1) {
          const current = lines[i] ?? '';
          if (current.includes('??=')) return;
          if (/^(export )?(const|let) /.test(current)) {
            if (/=>|function/.test(current) && i !== index) break;
            return;
          }
          // A factory (`createS3Client`) is fine: the module calls it once, at init. So is an
          // adapter's constructor: its one client lives as long as the adapter, made at init.
          if (/^(export )?function create\w*\(/.test(current)) return;
          if (/^\s+constructor\(/.test(current)) return;
          if (/^(export )?(async )?function/.test(current)) break;
        }
        offenders.push(`${path.relative(repoPath('.'), file)}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('sharp packaged for linux-arm64 (a layer or bundled node module)', () => {
    const sharpFunctions = dev.stack.node.findAll().filter((c): c is ServiceFunction => c instanceof ServiceFunction && c.needsSharp);
    expect(sharpFunctions.length).toBeGreaterThan(0);
    for (const fn of sharpFunctions) {
      expect(fn.bundling.nodeModules).toEqual(['sharp']);
      expect(fn.bundling.environment).toEqual({ npm_config_os: 'linux', npm_config_cpu: 'arm64', npm_config_libc: 'glibc' });
    }
    // Which entries really need it is pinned by the bundle-size test (sharp never bundled).
  });

  it('memory sized per function', () => {
    for (const { stage, template } of both()) {
      const functions = Object.values(serviceFunctions(template));
      for (const fn of functions) expect(typeof fn.Properties?.['MemorySize'], stage).toBe('number');
      const memoryOf = (entry: RegExp) => functions.find((fn) => entry.test(String(fn.Metadata?.[LOCAL_ENTRY_METADATA])))?.Properties?.['MemorySize'];
      // Image work (sharp) gets more memory, hence CPU, than the API.
      expect(Number(memoryOf(/process-upload/))).toBeGreaterThan(Number(memoryOf(/files-api/)));
    }
  });

  it('an option for provisioned concurrency on the latency-critical resolver in prod', () => {
    prod.template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } });
    const [aliasId] = Object.keys(resourcesOf(prod.template, 'AWS::Lambda::Alias'));
    prod.template.hasResourceProperties('AWS::AppSync::DataSource', { Type: 'AWS_LAMBDA', LambdaConfig: { LambdaFunctionArn: { Ref: aliasId } } });
    // dev ignores it: the local stack and dev deploys call the function itself.
    const devWithOption = synthesize({ provisionedConcurrency: 2 });
    devWithOption.template.resourceCountIs('AWS::Lambda::Alias', 0);
  });
});

describe('Stages and outputs', () => {
  it('the stages differ only in removal policies, log retention, alarm targets, WAF, introspection and provisioned concurrency', () => {
    const counts = (template: Template) => {
      const result = new Map<string, number>();
      for (const resource of Object.values(template.toJSON()['Resources'] as Resources)) result.set(resource.Type, (result.get(resource.Type) ?? 0) + 1);
      return result;
    };
    const minus = (a: Map<string, number>, b: Map<string, number>) =>
      [...a].filter(([type, n]) => n > (b.get(type) ?? 0)).map(([type]) => type).sort();
    const devCounts = counts(dev.template);
    const prodCounts = counts(prod.template);
    // dev: CDK's handler that empties the buckets on destroy (its function and role).
    expect(minus(devCounts, prodCounts)).toEqual(['AWS::IAM::Role', 'AWS::Lambda::Function', 'Custom::S3AutoDeleteObjects']);
    // prod: the firewall and its log group, the warm alias, the on-call e-mail subscription
    // (with the dead-letter queue every subscription gets, and that queue's alarm), and the
    // Stripe secret key (prod refuses the payment simulator: infra/constructs/orders-payments.ts).
    expect(minus(prodCounts, devCounts)).toEqual([
      'AWS::CloudWatch::Alarm',
      'AWS::Lambda::Alias',
      'AWS::Lambda::Version',
      'AWS::Logs::LogGroup',
      'AWS::SNS::Subscription',
      'AWS::SQS::Queue',
      'AWS::SQS::QueuePolicy',
      'AWS::SecretsManager::Secret',
      'AWS::WAFv2::LoggingConfiguration',
      'AWS::WAFv2::WebACL',
      'AWS::WAFv2::WebACLAssociation',
    ]);
    dev.template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    prod.template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  it('log retention: given each stage, when it is synthesized, then every log group keeps its events for the stage\'s retention (dev 14 days, prod 90)', () => {
    const promised = { dev: 14, prod: 90 } as const; // docs/operations.md, "What differs between the stages"
    for (const { stage, template } of both()) {
      expect(settingsFor(stage).logRetention, stage).toBe(promised[stage]);
      const logGroups = Object.entries(resourcesOf(template, 'AWS::Logs::LogGroup'));
      // The saga's, the functions', the API's, and in prod the firewall's.
      expect(logGroups.length, stage).toBeGreaterThanOrEqual(stage === 'prod' ? 18 : 17);
      const retentions = [
        ...logGroups,
        ...Object.entries(resourcesOf(template, 'Custom::LogRetention')),
      ].map(([id, resource]) => [id, resource.Properties?.['RetentionInDays']]);
      expect(retentions, stage).toEqual(retentions.map(([id]) => [id, promised[stage]]));
    }
  });

  it('alarm targets: given the prod stage without an alarm e-mail, when the app is built, then it fails and says how to give one', { timeout: HOOK_TIMEOUT }, () => {
    const build = (context: Record<string, unknown>) => () =>
      buildApp(new App({ context: { [BUNDLING_STACKS]: [], ...context } }), { projectRoot: testProjectRoot() });
    // An alarm topic nobody is subscribed to is silent: prod refuses it, naming the context key.
    expect(build({ stage: 'prod', stackName: 'FilesProdSilent' })).toThrow(/prod stage needs an alarm target[^]*-c alarmEmail=/);
    expect(build({ stage: 'prod', stackName: 'FilesProdEmpty', alarmEmail: '' })).toThrow(/-c alarmEmail=/);
    // dev may have no subscriber; prod with one subscribes it (the synthesized prod above).
    const emails = (template: Template) => Object.values(resourcesOf(template, 'AWS::SNS::Subscription')).filter((sub) => sub.Properties?.['Protocol'] === 'email');
    expect(emails(dev.template)).toEqual([]);
    prod.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('the outputs hold everything a client needs', () => {
    const outputs = Object.keys(dev.template.toJSON()['Outputs'] as Record<string, unknown>);
    expect(outputs).toEqual(expect.arrayContaining(['GraphQLUrl', 'ApiKey', 'UserPoolId', 'UserPoolClientId', 'Region', AUTH_MODES_OUTPUT, 'AlarmTopicArn', 'DashboardUrl']));
    dev.template.hasOutput(AUTH_MODES_OUTPUT, { Value: 'AMAZON_COGNITO_USER_POOLS,API_KEY,AWS_IAM' });
  });
});
