import { fileURLToPath } from 'node:url';
import { bundleAppSyncJs } from '../appsync-code.js';
import { Duration, Expiration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AuthorizationType,
  CfnGraphQLApi,
  Code,
  Definition,
  FieldLogLevel,
  FunctionRuntime,
  GraphqlApi,
  IntrospectionConfig,
  Resolver,
  type BaseDataSource,
} from 'aws-cdk-lib/aws-appsync';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/index.js';
import { ServiceFunction } from './service-function.js';
import { THUMBNAILS_PREFIX, UPLOADS_PREFIX } from './uploads-bucket.js';
import { stageDefaults } from './stage-defaults.js';

/** The schema deployed as is. */
export const SCHEMA_PATH = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

/** The files API handler, relative to the project root. */
export const FILES_API_ENTRY = 'resolvers/files/handlers/files-api.ts';

/**
 * The fields resolved by the files API Lambda, as direct Lambda resolvers: the latency-critical
 * ones, which read the table and only sign S3 URLs (no S3 client in the bundle).
 */
export const FILES_API_FIELDS = [
  { typeName: 'Query', fieldName: 'file' },
  { typeName: 'Query', fieldName: 'files' },
  { typeName: 'Query', fieldName: 'uploadPolicy' },
  { typeName: 'Mutation', fieldName: 'createUpload' },
] as const;

/** The file changes API handler, relative to the project root. */
export const FILE_CHANGES_API_ENTRY = 'resolvers/files/handlers/file-changes-api.ts';

/**
 * The fields resolved by the file changes API Lambda: the ones that call S3 (reprocessFile
 * copies an original onto itself, deleteFile deletes a file's objects).
 */
export const FILE_CHANGES_API_FIELDS = [
  { typeName: 'Mutation', fieldName: 'reprocessFile' },
  { typeName: 'Mutation', fieldName: 'deleteFile' },
] as const;

/** The fields resolved by APPSYNC_JS code on the NONE data source, with their code file. */
export const JS_RESOLVERS = [
  {
    typeName: 'Mutation',
    fieldName: 'publishFileEvent',
    codePath: fileURLToPath(new URL('../../resolvers/appsync/publish-file-event.ts', import.meta.url)),
  },
  {
    typeName: 'Subscription',
    fieldName: 'onFileEvent',
    codePath: fileURLToPath(new URL('../../resolvers/appsync/on-file-event.ts', import.meta.url)),
  },
] as const;

/** The API's authorization modes, the default first (the `AuthorizationModes` stack output). */
export const AUTH_MODES = ['AMAZON_COGNITO_USER_POOLS', 'API_KEY', 'AWS_IAM'] as const;

/** The alias AppSync invokes when the files API has provisioned concurrency. */
export const FILES_API_ALIAS = 'live';

export interface FilesGraphqlApiProps {
  /** The user pool of the default authorization mode. */
  readonly userPool: IUserPool;
  /** The files' metadata, read and written by the files API. */
  readonly table: ITable;
  /**
   * The uploads bucket: the files API presigns PUTs under `uploads/` and GETs under
   * `thumbnails/`. The file changes API's copy and delete grants are the upload pipeline's to
   * give (UploadPipelineProps.fileChangesApi), which knows its prefixes.
   */
  readonly bucket: IBucket;

  /**
   * The API's name.
   * @default `${stackName}-api`
   */
  readonly name?: string;

  /**
   * How long an upload ticket (the presigned PUT) is valid (`UPLOAD_TICKET_TTL_SECONDS`).
   * @default Duration.minutes(15)
   */
  readonly uploadTicketTtl?: Duration;

  /**
   * How long the API key is valid, from synthesis. AppSync accepts 1 to 365 days.
   * @default Duration.days(365)
   */
  readonly apiKeyValidity?: Duration;

  /**
   * The directory holding `package.json`, `package-lock.json` and the handler entries.
   * @default the repository root
   */
  readonly projectRoot?: string;

  /**
   * How long the API's and the handler's logs are kept.
   * @default the stage's retention (production posture); unlimited without one
   */
  readonly logRetention?: RetentionDays;

  /**
   * Whether the API answers introspection queries. Prod turns it off.
   * @default true
   */
  readonly introspection?: boolean;

  /**
   * The deepest selection set AppSync accepts (1-75), 0 for AppSync's default (no limit). Depth
   * counts fields (a root field is 1); inline fragments and fragment spreads add no level, as they
   * add none to the response. A field past the limit fails with `QueryDepthLimitReached`, which
   * nulls its first nullable parent: the rest of the query still runs. Documents nested deeper
   * than the parser allows (fields or fragments alike) are refused before anything runs whatever
   * this is (local/graphql/document-guard.ts).
   * @default 0
   */
  readonly queryDepthLimit?: number;

  /**
   * How many resolvers one request may invoke (1-10000), 0 for AppSync's default (10000).
   * @default 0
   */
  readonly resolverCountLimit?: number;

  /**
   * Warm execution environments kept for the files API, the latency-critical resolver. With
   * more than 0, AppSync invokes a `live` alias that has them.
   * @default 0
   */
  readonly provisionedConcurrency?: number;

  /**
   * What happens to the handler's log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The GraphQL API, schema first: `schema/schema.graphql` deployed as is, Cognito user pools by
 * default with API key and IAM as additional modes. The file queries and `createUpload` go to
 * the files API Lambda as direct Lambda resolvers, `reprocessFile` and `deleteFile` to the file
 * changes API Lambda (the one with the S3 client); `publishFileEvent` and `onFileEvent` are
 * APPSYNC_JS unit resolvers on a NONE data source, their code inline in the template.
 */
export class FilesGraphqlApi extends Construct {
  public readonly api: GraphqlApi;
  public readonly apiId: string;
  public readonly graphqlUrl: string;
  /** The API key's value. */
  public readonly apiKey: string;
  /** The Lambda function behind the files queries and createUpload (FILES_API_FIELDS). */
  public readonly filesApi: ServiceFunction;
  /** The Lambda function behind reprocessFile and deleteFile (FILE_CHANGES_API_FIELDS). */
  public readonly fileChangesApi: ServiceFunction;

  constructor(scope: Construct, id: string, props: FilesGraphqlApiProps) {
    super(scope, id);
    const { removalPolicy, logRetention } = stageDefaults(props);

    // AppSync writes to a log group it names after the API; the role may write there only
    // (AWS's AWSAppSyncPushToCloudWatchLogs policy allows every log group).
    const logsRole = new Role(this, 'LogsRole', {
      assumedBy: new ServicePrincipal('appsync.amazonaws.com'),
      description: 'AppSync writes the API logs to its own log group',
    });

    this.api = new GraphqlApi(this, 'Api', {
      name: props.name ?? `${Stack.of(this).stackName}-api`,
      definition: Definition.fromFile(SCHEMA_PATH),
      authorizationConfig: {
        defaultAuthorization: {
          authorizationType: AuthorizationType.USER_POOL,
          userPoolConfig: { userPool: props.userPool },
        },
        additionalAuthorizationModes: [
          {
            authorizationType: AuthorizationType.API_KEY,
            apiKeyConfig: {
              description: 'Public access to uploadPolicy before sign-in',
              expires: Expiration.after(props.apiKeyValidity ?? Duration.days(365)),
            },
          },
          { authorizationType: AuthorizationType.IAM },
        ],
      },
      xrayEnabled: true,
      introspectionConfig: (props.introspection ?? true) ? IntrospectionConfig.ENABLED : IntrospectionConfig.DISABLED,
      ...((props.queryDepthLimit ?? 0) > 0 ? { queryDepthLimit: props.queryDepthLimit } : {}),
      ...((props.resolverCountLimit ?? 0) > 0 ? { resolverCountLimit: props.resolverCountLimit } : {}),
    });
    this.apiId = this.api.apiId;

    // Field-level errors with their request ids, to AppSync's own log group, which is created here
    // (with a retention, deleted with the stack) rather than by AppSync on first write. Set on
    // the L1 because the L2's logConfig adds a log-retention custom resource for the same group.
    (this.api.node.defaultChild as CfnGraphQLApi).logConfig = {
      cloudWatchLogsRoleArn: logsRole.roleArn,
      fieldLogLevel: FieldLogLevel.ERROR,
      excludeVerboseContent: true,
    };
    acknowledge(
      this.api,
      'AwsSolutions-ASC3',
      'Request logging is on (field errors with request ids, X-Ray for every request); verbose content is excluded because it would log request headers, users\' Authorization tokens included',
    );
    const apiLogs = new LogGroup(this, 'ApiLogs', {
      logGroupName: `/aws/appsync/apis/${this.api.apiId}`,
      retention: logRetention,
      removalPolicy,
    });
    logsRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // A log group's Arn attribute ends in `:*`: its streams, nothing else.
        resources: [apiLogs.logGroupArn],
      }),
    );
    this.graphqlUrl = this.api.graphqlUrl;
    const apiKey = this.api.apiKey;
    if (apiKey === undefined) {
      throw new Error('FilesGraphqlApi: the API key mode produced no key');
    }
    this.apiKey = apiKey;

    this.filesApi = new ServiceFunction(this, 'FilesApi', {
      entry: FILES_API_ENTRY,
      serviceName: 'files-api',
      projectRoot: props.projectRoot,
      logRetention,
      removalPolicy,
      environment: {
        UPLOAD_TICKET_TTL_SECONDS: String((props.uploadTicketTtl ?? Duration.minutes(15)).toSeconds()),
      },
    })
      .bindTable(props.table, 'RW', 'FILES_TABLE')
      // A presigned URL acts with the signer's permissions: PUTs of originals, GETs of thumbnails.
      .bindBucket(props.bucket, 'PUT', 'UPLOADS_BUCKET', `${UPLOADS_PREFIX}*`)
      .bindBucket(props.bucket, 'READ', 'UPLOADS_BUCKET', `${THUMBNAILS_PREFIX}*`);

    this.fileChangesApi = new ServiceFunction(this, 'FileChangesApi', {
      entry: FILE_CHANGES_API_ENTRY,
      serviceName: 'file-changes-api',
      projectRoot: props.projectRoot,
      logRetention,
      removalPolicy,
    })
      .bindTable(props.table, 'RW', 'FILES_TABLE')
      // The thumbnails' GET URLs of the File that reprocessFile returns.
      .bindBucket(props.bucket, 'READ', 'UPLOADS_BUCKET', `${THUMBNAILS_PREFIX}*`);

    const provisioned = props.provisionedConcurrency ?? 0;
    const target: IFunction =
      provisioned > 0
        ? new Alias(this, 'FilesApiLive', {
            aliasName: FILES_API_ALIAS,
            version: this.filesApi.fn.currentVersion,
            provisionedConcurrentExecutions: provisioned,
          })
        : this.filesApi.fn;
    const filesApiSource = this.api.addLambdaDataSource('FilesApiDataSource', target, {
      description: 'The files API Lambda (direct Lambda resolvers)',
    });
    for (const { typeName, fieldName } of FILES_API_FIELDS) {
      this.addResolver(typeName, fieldName, filesApiSource);
    }
    const fileChangesSource = this.api.addLambdaDataSource('FileChangesApiDataSource', this.fileChangesApi.fn, {
      description: 'The file changes API Lambda: reprocessFile and deleteFile (direct Lambda resolvers)',
    });
    for (const { typeName, fieldName } of FILE_CHANGES_API_FIELDS) {
      this.addResolver(typeName, fieldName, fileChangesSource);
    }

    const noneSource = this.api.addNoneDataSource('NoneDataSource', {
      description: 'Local resolvers: publishFileEvent and the onFileEvent subscription',
    });
    for (const { typeName, fieldName, codePath } of JS_RESOLVERS) {
      this.addResolver(typeName, fieldName, noneSource, bundleAppSyncJs(codePath));
    }
  }

  /** A direct Lambda resolver without `code`, an APPSYNC_JS unit resolver with it. */
  private addResolver(typeName: string, fieldName: string, dataSource: BaseDataSource, code?: string): Resolver {
    return new Resolver(this, `${typeName}${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}Resolver`, {
      api: this.api,
      typeName,
      fieldName,
      dataSource,
      ...(code === undefined ? {} : { runtime: FunctionRuntime.JS_1_0_0, code: Code.fromInline(code) }),
    });
  }
}
