import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, Expiration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AuthorizationType,
  Code,
  Definition,
  FieldLogLevel,
  FunctionRuntime,
  GraphqlApi,
  Resolver,
  type BaseDataSource,
} from 'aws-cdk-lib/aws-appsync';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ServiceFunction } from './service-function.js';
import { UPLOADS_PREFIX } from './uploads-bucket.js';

/** The schema deployed as is. */
export const SCHEMA_PATH = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

/** The files API handler, relative to the project root. */
export const FILES_API_ENTRY = 'resolvers/api/files-handler.ts';

/** The fields resolved by the files API Lambda, as direct Lambda resolvers. */
export const FILES_API_FIELDS = [
  { typeName: 'Query', fieldName: 'file' },
  { typeName: 'Query', fieldName: 'files' },
  { typeName: 'Query', fieldName: 'uploadPolicy' },
  { typeName: 'Mutation', fieldName: 'createUpload' },
] as const;

/** The fields resolved by APPSYNC_JS code on the NONE data source, with their code file. */
export const JS_RESOLVERS = [
  {
    typeName: 'Mutation',
    fieldName: 'publishFileEvent',
    codePath: fileURLToPath(new URL('../../resolvers/appsync/publish-file-event.js', import.meta.url)),
  },
  {
    typeName: 'Subscription',
    fieldName: 'onFileEvent',
    codePath: fileURLToPath(new URL('../../resolvers/appsync/on-file-event.js', import.meta.url)),
  },
] as const;

export interface FilesGraphqlApiProps {
  /** The user pool of the default authorization mode. */
  readonly userPool: IUserPool;
  /** The files' metadata, read and written by the files API. */
  readonly table: ITable;
  /** The uploads bucket: the files API presigns PUTs under `uploads/` and GETs. */
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
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * What happens to the handler's log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The GraphQL API, schema first: `schema/schema.graphql` deployed as is, Cognito user pools by
 * default with API key and IAM as additional modes. The file queries and `createUpload` go to
 * the files API Lambda as direct Lambda resolvers; `publishFileEvent` and `onFileEvent` are
 * APPSYNC_JS unit resolvers on a NONE data source, their code inline in the template.
 */
export class FilesGraphqlApi extends Construct {
  public readonly api: GraphqlApi;
  public readonly apiId: string;
  public readonly graphqlUrl: string;
  /** The API key's value. */
  public readonly apiKey: string;
  /** The Lambda function behind the direct Lambda resolvers. */
  public readonly filesApi: ServiceFunction;

  constructor(scope: Construct, id: string, props: FilesGraphqlApiProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

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
      // AppSync creates its log group; CDK sets the retention with a custom resource.
      logConfig: { fieldLogLevel: FieldLogLevel.ERROR, retention: logRetention },
    });
    this.apiId = this.api.apiId;
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
      .bindBucket(props.bucket, 'PUT', 'UPLOADS_BUCKET', `${UPLOADS_PREFIX}*`)
      .bindBucket(props.bucket, 'READ', 'UPLOADS_BUCKET');

    const filesApiSource = this.api.addLambdaDataSource('FilesApiDataSource', this.filesApi.fn, {
      description: 'The files API Lambda (direct Lambda resolvers)',
    });
    for (const { typeName, fieldName } of FILES_API_FIELDS) {
      this.addResolver(typeName, fieldName, filesApiSource);
    }

    const noneSource = this.api.addNoneDataSource('NoneDataSource', {
      description: 'Local resolvers: publishFileEvent and the onFileEvent subscription',
    });
    for (const { typeName, fieldName, codePath } of JS_RESOLVERS) {
      this.addResolver(typeName, fieldName, noneSource, readFileSync(codePath, 'utf8'));
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
