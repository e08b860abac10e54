/**
 * The synthesized CDK app as a whole: its functions, roles, bucket, API, users and outputs, in
 * each stage. One file, over 400 lines, because each stage is synthesized (seconds) once in a
 * `beforeAll` for all of its assertions; the focused concerns have files of their own.
 */
import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FILE_CHANGES_API_ENTRY,
  FILE_CHANGES_API_FIELDS,
  FILES_API_ENTRY,
  FILES_API_FIELDS,
  JS_RESOLVERS,
} from '../../infra/constructs/graphql-api.js';
import { LOCAL_ENTRY_METADATA, LOCAL_HANDLER_METADATA } from '../../infra/constructs/service-function.js';
import { PIPELINE_ENTRIES, PROCESS_UPLOAD_ENTRY } from '../../infra/constructs/upload-pipeline.js';
import { repoPath } from '../../infra/paths.js';
import { synthesize } from './synth.js';
import { bundleAppSyncJs } from '../../infra/appsync-code.js';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}

type Resources = Record<string, CfnResource>;

/** The service functions: the Lambda functions carrying `local:entry` (CDK's own handlers do not). */
function serviceFunctions(template: Template): Resources {
  return template.findResources('AWS::Lambda::Function', {
    Metadata: { [LOCAL_ENTRY_METADATA]: Match.anyValue() },
  }) as Resources;
}

function logicalIdOfEntry(template: Template, entry: string): string {
  const [id] = Object.keys(
    template.findResources('AWS::Lambda::Function', { Metadata: { [LOCAL_ENTRY_METADATA]: entry } }),
  );
  if (id === undefined) throw new Error(`no function with local:entry ${entry}`);
  return id;
}

/** The statements of every IAM policy attached to the role of the function `functionId`. */
function statementsOfFunction(template: Template, functionId: string): Record<string, unknown>[] {
  const fn = template.toJSON()['Resources'][functionId] as CfnResource;
  const roleRef = (fn.Properties?.['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleRef }] } }),
  ) as CfnResource[];
  return policies.flatMap(
    (policy) =>
      (policy.Properties?.['PolicyDocument'] as { Statement: Record<string, unknown>[] }).Statement,
  );
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

describe('given the dev stack synthesized with bundling skipped', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synthesize());
  }, 120_000);

  describe('when looking at the Lambda functions', () => {
    it('then the files API, the file changes API and the upload processor are service functions, each with its entry and handler metadata', () => {
      const functions = Object.values(serviceFunctions(template));
      expect(functions.map((fn) => fn.Metadata?.[LOCAL_ENTRY_METADATA])).toEqual(
        expect.arrayContaining([FILES_API_ENTRY, FILE_CHANGES_API_ENTRY, PROCESS_UPLOAD_ENTRY]),
      );
      for (const fn of functions) {
        expect(fn.Metadata?.[LOCAL_HANDLER_METADATA]).toBe('handler');
      }
    });

    it('then every service function runs Node.js 22 on arm64 with active tracing and JSON logs', () => {
      for (const fn of Object.values(serviceFunctions(template))) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogFormat: 'JSON' },
        });
        expect(fn.Properties?.['Environment']).toMatchObject({
          Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: expect.any(String) },
        });
      }
    });

    it('then the only other functions are CDK custom resource handlers', () => {
      const others = Object.keys(template.findResources('AWS::Lambda::Function')).filter(
        (id) => !(id in serviceFunctions(template)),
      );
      for (const id of others) {
        expect(id).toMatch(/^(BucketNotificationsHandler|CustomS3AutoDeleteObjects|LogRetention|CustomCDKBucketDeployment)/);
      }
    });

    it('then each service function has its own log group with a retention', () => {
      for (const fn of Object.values(serviceFunctions(template))) {
        const logGroupRef = (fn.Properties?.['LoggingConfig'] as { LogGroup: { Ref: string } }).LogGroup.Ref;
        const logGroup = template.toJSON()['Resources'][logGroupRef] as CfnResource;
        expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
        expect(typeof logGroup.Properties?.['RetentionInDays']).toBe('number');
      }
    });

    it('then the files API gets the table, the bucket and the ticket lifetime', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            FILES_TABLE: { Ref: Match.stringLikeRegexp('^FilesTable') },
            UPLOADS_BUCKET: { Ref: Match.stringLikeRegexp('^UploadsBucket') },
            UPLOAD_TICKET_TTL_SECONDS: '900',
            POWERTOOLS_SERVICE_NAME: 'files-api',
          },
        },
        MemorySize: 512,
      });
    });

    it('then the file changes API gets the table and the bucket, and no ticket lifetime', () => {
      const fn = template.toJSON()['Resources'][logicalIdOfEntry(template, FILE_CHANGES_API_ENTRY)] as CfnResource;
      const variables = (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({
        FILES_TABLE: { Ref: expect.stringMatching(/^FilesTable/) },
        UPLOADS_BUCKET: { Ref: expect.stringMatching(/^UploadsBucket/) },
        POWERTOOLS_SERVICE_NAME: 'file-changes-api',
      });
      expect(variables).not.toHaveProperty('UPLOAD_TICKET_TTL_SECONDS');
    });

    it('then the upload processor gets the table, the bucket and the GraphQL URL', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            FILES_TABLE: { Ref: Match.stringLikeRegexp('^FilesTable') },
            UPLOADS_BUCKET: { Ref: Match.stringLikeRegexp('^UploadsBucket') },
            GRAPHQL_URL: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GraphqlApi'), 'GraphQLUrl'] },
            POWERTOOLS_SERVICE_NAME: 'process-upload',
          },
        },
        MemorySize: 1024,
        Timeout: 30,
      });
    });
  });

  describe('when looking at the pipeline roles', () => {
    it.each(PIPELINE_ENTRIES)('then %s may call appsync:GraphQL on Mutation.publishFileEvent only', (entry) => {
      const statements = statementsOfFunction(template, logicalIdOfEntry(template, entry));
      // Any statement that could reach AppSync: an appsync action, or a wildcard action.
      const appsync = statements.filter((statement) =>
        asArray(statement['Action'] as string | string[]).some((action) => action.startsWith('appsync:') || action === '*'),
      );
      expect(appsync).toHaveLength(1);
      const [statement] = appsync;
      expect(statement?.['Action']).toBe('appsync:GraphQL');
      expect(statement?.['Effect']).toBe('Allow');
      const resources = asArray(statement?.['Resource'] as unknown);
      expect(resources).toHaveLength(1);
      const parts = (resources[0] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      expect(parts.at(-1)).toBe('/types/Mutation/fields/publishFileEvent');
      expect(JSON.stringify(parts)).toContain(':apis/');
    });
  });

  describe('when looking at the files API roles', () => {
    /** Each S3 action the function's role allows, with the object key patterns it allows it on. */
    function s3Grants(entry: string): Record<string, string[]> {
      const grants: Record<string, string[]> = {};
      for (const statement of statementsOfFunction(template, logicalIdOfEntry(template, entry))) {
        const actions = asArray(statement['Action'] as string | string[]).filter((action) => action.startsWith('s3:') || action === '*');
        const patterns = asArray(statement['Resource'] as unknown).map(
          (resource) => JSON.stringify(resource).match(/"\/([^"]*)"\]\]\}$/)?.[1] ?? `bucket-level ${JSON.stringify(resource)}`,
        );
        for (const action of actions) (grants[action] ??= []).push(...patterns);
      }
      for (const patterns of Object.values(grants)) patterns.sort();
      return grants;
    }

    it('then the files API may only presign: PUT originals and GET thumbnails', () => {
      expect(s3Grants(FILES_API_ENTRY)).toEqual({ 's3:PutObject': ['uploads/*'], 's3:GetObject': ['thumbnails/*'] });
    });

    it('then the file changes API may copy originals onto themselves, delete every version of every object of a file, and presign thumbnail GETs', () => {
      const grants = s3Grants(FILE_CHANGES_API_ENTRY);
      expect({ ...grants, 's3:ListBucketVersions': undefined }).toEqual({
        's3:GetObject': ['thumbnails/*', 'uploads/*'],
        's3:PutObject': ['uploads/*'],
        's3:DeleteObject': ['processed/*', 'quarantine/*', 'thumbnails/*', 'uploads/*'],
        's3:DeleteObjectVersion': ['processed/*', 'quarantine/*', 'thumbnails/*', 'uploads/*'],
        's3:ListBucketVersions': undefined,
      });
      // Listed on the bucket, for the file's prefixes only.
      const listing = statementsOfFunction(template, logicalIdOfEntry(template, FILE_CHANGES_API_ENTRY)).filter(
        (statement) => statement['Action'] === 's3:ListBucketVersions',
      );
      expect(listing.map((statement) => statement['Condition'])).toEqual([
        { StringLike: { 's3:prefix': ['uploads/*', 'processed/*', 'thumbnails/*', 'quarantine/*'] } },
      ]);
    });
  });

  describe('when looking at the upload processor role', () => {
    it('then it reads under uploads/ and touches objects under key prefixes only, never the whole bucket', () => {
      const statements = statementsOfFunction(template, logicalIdOfEntry(template, PROCESS_UPLOAD_ENTRY));
      const s3 = statements.filter((statement) =>
        asArray(statement['Action'] as string | string[]).some((action) => action.startsWith('s3:')),
      );
      const objectSuffixes = s3.flatMap((statement) =>
        asArray(statement['Resource'] as unknown)
          .map((resource) => JSON.stringify(resource).match(/"(\/[^"]*)"\]\]\}$/)?.[1])
          .filter((suffix) => suffix !== undefined),
      );
      expect(objectSuffixes).toContain('/uploads/*');
      for (const suffix of objectSuffixes) expect(suffix).toMatch(/^\/[a-z-]+\/\*$/);
      const reads = s3.filter((statement) => asArray(statement['Action'] as string[]).includes('s3:GetObject'));
      expect(JSON.stringify(reads)).toContain('/uploads/*');
    });
  });

  describe('when looking at the uploads bucket', () => {
    it('then it blocks all public access, is encrypted with the stack\'s KMS key and versioned', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OperationsDataKey'), 'Arn'] } },
              BucketKeyEnabled: true,
            },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    });

    it('then its policy denies requests without TLS', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('then browsers may PUT and GET through CORS and stale multipart uploads are aborted', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        CorsConfiguration: {
          CorsRules: [
            Match.objectLike({
              AllowedMethods: Match.arrayWith(['PUT', 'GET']),
              AllowedOrigins: ['*'],
              AllowedHeaders: ['*'],
            }),
          ],
        },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })]),
        },
      });
    });

    it('then objects created under uploads/ start the pipeline', () => {
      const [notifications] = Object.values(template.findResources('Custom::S3BucketNotifications')) as CfnResource[];
      const config = JSON.stringify(notifications?.Properties?.['NotificationConfiguration']);
      expect(config).toContain('"s3:ObjectCreated:*"');
      expect(config).toContain('{"Name":"prefix","Value":"uploads/"}');
    });

    it('then in dev it is deleted with the stack', () => {
      template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    });
  });

  describe('when looking at the GraphQL API', () => {
    it('then the deployed schema is schema/schema.graphql byte for byte', () => {
      template.hasResourceProperties('AWS::AppSync::GraphQLSchema', {
        Definition: readFileSync(repoPath('schema/schema.graphql'), 'utf8'),
      });
    });

    it('then user pools is the default mode with API key and IAM as additional modes, X-Ray on, errors logged', () => {
      template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
        AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
        UserPoolConfig: { UserPoolId: { Ref: Match.stringLikeRegexp('^UsersUserPool') }, DefaultAction: 'ALLOW' },
        AdditionalAuthenticationProviders: [{ AuthenticationType: 'API_KEY' }, { AuthenticationType: 'AWS_IAM' }],
        XrayEnabled: true,
        LogConfig: Match.objectLike({ FieldLogLevel: 'ERROR' }),
      });
    });

    it('then the API key expires within a year', () => {
      const keys = Object.values(template.findResources('AWS::AppSync::ApiKey')) as CfnResource[];
      expect(keys).toHaveLength(1);
      const expires = keys[0]?.Properties?.['Expires'];
      expect(typeof expires).toBe('number');
      const days = ((expires as number) - Date.now() / 1000) / 86_400;
      expect(days).toBeGreaterThan(364);
      expect(days).toBeLessThanOrEqual(365);
    });

    it.each([
      ...FILES_API_FIELDS.map((field) => ({ ...field, api: 'files API', entry: FILES_API_ENTRY })),
      ...FILE_CHANGES_API_FIELDS.map((field) => ({ ...field, api: 'file changes API', entry: FILE_CHANGES_API_ENTRY })),
    ])(
      'then $typeName $fieldName is a direct Lambda resolver on the $api',
      ({ typeName, fieldName, entry }) => {
        const resolvers = Object.values(
          template.findResources('AWS::AppSync::Resolver', { Properties: { TypeName: typeName, FieldName: fieldName } }),
        ) as CfnResource[];
        expect(resolvers).toHaveLength(1);
        const properties = resolvers[0]?.Properties ?? {};
        expect(properties['Kind']).toBe('UNIT');
        for (const absent of [
          'Code',
          'CodeS3Location',
          'Runtime',
          'RequestMappingTemplate',
          'ResponseMappingTemplate',
          'RequestMappingTemplateS3Location',
          'ResponseMappingTemplateS3Location',
          'PipelineConfig',
        ]) {
          expect(properties).not.toHaveProperty(absent);
        }
        const dataSourceName = properties['DataSourceName'];
        template.hasResourceProperties('AWS::AppSync::DataSource', {
          Name: dataSourceName,
          Type: 'AWS_LAMBDA',
          LambdaConfig: {
            LambdaFunctionArn: { 'Fn::GetAtt': [logicalIdOfEntry(template, entry), 'Arn'] },
          },
        });
      },
    );

    it.each(JS_RESOLVERS)(
      'then $typeName $fieldName is an APPSYNC_JS unit resolver on a NONE data source with its code inline',
      ({ typeName, fieldName, codePath }) => {
        const resolvers = Object.values(
          template.findResources('AWS::AppSync::Resolver', { Properties: { TypeName: typeName, FieldName: fieldName } }),
        ) as CfnResource[];
        expect(resolvers).toHaveLength(1);
        const properties = resolvers[0]?.Properties ?? {};
        expect(properties).toMatchObject({
          Kind: 'UNIT',
          Runtime: { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' },
          Code: bundleAppSyncJs(codePath),
        });
        expect(properties).not.toHaveProperty('CodeS3Location');
        template.hasResourceProperties('AWS::AppSync::DataSource', {
          Name: properties['DataSourceName'],
          Type: 'NONE',
        });
      },
    );

    it('then every files resolver (both Lambda functions\' fields and the APPSYNC_JS ones) is defined once', () => {
      const fields = (Object.values(template.findResources('AWS::AppSync::Resolver')) as CfnResource[]).map(
        (resolver) => `${String(resolver.Properties?.['TypeName'])}.${String(resolver.Properties?.['FieldName'])}`,
      );
      for (const { typeName, fieldName } of [...FILES_API_FIELDS, ...FILE_CHANGES_API_FIELDS, ...JS_RESOLVERS]) {
        expect(fields.filter((field) => field === `${typeName}.${fieldName}`)).toHaveLength(1);
      }
    });
  });

  describe('when looking at users and data', () => {
    it('then the user pool has self sign-up, e-mail sign-in with verification and a strong password policy', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        AutoVerifiedAttributes: ['email'],
        UsernameAttributes: ['email'],
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
      });
    });

    it('then the pool has the approvers group', () => {
      template.resourceCountIs('AWS::Cognito::UserPoolGroup', 1);
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'approvers' });
    });

    it('then the client has no secret and allows password and SRP sign-in', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: false,
        ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
      });
    });

    it('then the files table is on demand, keyed by id, with the byOwner index and PITR', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'owner', AttributeType: 'S' },
          { AttributeName: 'createdAt', AttributeType: 'S' },
        ]),
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byOwner',
            KeySchema: [
              { AttributeName: 'owner', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });
  });

  describe('when looking at the outputs', () => {
    it('then they hold everything a client config needs', () => {
      const outputs = template.toJSON()['Outputs'] as Record<string, unknown>;
      expect(Object.keys(outputs)).toEqual(
        expect.arrayContaining([
          'GraphQLUrl',
          'ApiKey',
          'UserPoolId',
          'UserPoolClientId',
          'Region',
          'UploadsBucket',
          'FilesTable',
        ]),
      );
      template.hasOutput('ApiKey', {
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GraphqlApiDefaultApiKey'), 'ApiKey'] },
      });
      template.hasOutput('Region', { Value: { Ref: 'AWS::Region' } });
    });
  });
});

describe('given the prod stage', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synthesize({ stage: 'prod', stackName: 'FilesProd' }));
  }, 120_000);

  it('then data is retained and protected against deletion, and nothing empties the bucket', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
    });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });
});

describe('given an unknown stage', () => {
  it('then building the app fails and names the stages', () => {
    expect(() => synthesize({ stage: 'staging' })).toThrow(/dev, prod/);
  });
});
