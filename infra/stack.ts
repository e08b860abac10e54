import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FilesTable } from './constructs/files-table.js';
import { FilesGraphqlApi } from './constructs/graphql-api.js';
import { Orders } from './constructs/orders-service.js';
import { UploadPipeline } from './constructs/upload-pipeline.js';
import { UploadsBucket } from './constructs/uploads-bucket.js';
import { Users } from './constructs/user-pool.js';
import { WebConsole } from './constructs/web-console.js';
import { AUTH_MODES } from './constructs/graphql-api.js';
import { amplifyOutputs } from '../local/outputs.js';
import { apiSettings, removalPolicyFor, settingsFor, type Stage, type StageSettings } from './stage.js';

export interface AppSyncLambdaStackProps extends StackProps {
  /**
   * dev deletes data with the stack, prod keeps it.
   * @default 'dev'
   */
  readonly stage?: Stage;

  /**
   * The directory holding `package.json`, `package-lock.json` and the Lambda handler entries.
   * @default the repository root
   */
  readonly projectRoot?: string;

  /**
   * What differs between the stages (infra/stage.ts).
   * @default settingsFor(stage)
   */
  readonly settings?: StageSettings;
}

/**
 * The whole service: users (Cognito), the files table, the uploads bucket, the GraphQL API with
 * its files API and file changes API Lambdas, and the upload pipeline. Its outputs are what a
 * client config needs.
 */
export class AppSyncLambdaStack extends Stack {
  public readonly stage: Stage;
  public readonly users: Users;
  public readonly filesTable: FilesTable;
  public readonly uploadsBucket: UploadsBucket;
  public readonly graphqlApi: FilesGraphqlApi;
  public readonly uploadPipeline: UploadPipeline;
  public readonly orders: Orders;
  public readonly webConsole: WebConsole;

  constructor(scope: Construct, id: string, props: AppSyncLambdaStackProps = {}) {
    super(scope, id, props);
    this.stage = props.stage ?? 'dev';
    const removalPolicy = removalPolicyFor(this.stage);

    this.users = new Users(this, 'Users', { removalPolicy });
    this.filesTable = new FilesTable(this, 'Files', { removalPolicy });
    this.uploadsBucket = new UploadsBucket(this, 'Uploads', { removalPolicy });

    this.graphqlApi = new FilesGraphqlApi(this, 'GraphqlApi', {
      userPool: this.users.userPool,
      table: this.filesTable.table,
      bucket: this.uploadsBucket.bucket,
      projectRoot: props.projectRoot,
      removalPolicy,
      ...apiSettings(props.settings ?? settingsFor(this.stage)),
    });

    this.uploadPipeline = new UploadPipeline(this, 'UploadPipeline', {
      bucket: this.uploadsBucket.bucket,
      fileChangesApi: this.graphqlApi.fileChangesApi,
      table: this.filesTable.table,
      api: this.graphqlApi.api,
      graphqlUrl: this.graphqlApi.graphqlUrl,
      projectRoot: props.projectRoot,
      removalPolicy,
    });

    this.orders = new Orders(this, 'Orders', {
      api: this.graphqlApi.api,
      graphqlUrl: this.graphqlApi.graphqlUrl,
      projectRoot: props.projectRoot,
      removalPolicy,
    });

    // Context `consoleDirectory` (the built console) adds the app; without it only its configuration is deployed.
    const [defaultMode, ...additionalModes] = AUTH_MODES;
    this.webConsole = new WebConsole(this, 'WebConsole', {
      removalPolicy,
      siteDirectory: this.node.tryGetContext('consoleDirectory') as string | undefined,
      config: amplifyOutputs({ region: this.region, graphqlUrl: this.graphqlApi.graphqlUrl, apiKey: this.graphqlApi.apiKey, defaultMode, additionalModes, userPoolId: this.users.userPoolId, userPoolClientId: this.users.userPoolClientId }),
    });

    const outputs: Record<string, { value: string; description: string }> = {
      GraphQLUrl: { value: this.graphqlApi.graphqlUrl, description: 'The GraphQL endpoint' },
      ApiId: { value: this.graphqlApi.apiId, description: 'The AppSync API id' },
      ApiKey: { value: this.graphqlApi.apiKey, description: 'The API key (uploadPolicy before sign-in)' },
      UserPoolId: { value: this.users.userPoolId, description: 'The Cognito user pool' },
      UserPoolClientId: { value: this.users.userPoolClientId, description: 'The web client of the user pool' },
      Region: { value: this.region, description: 'The region of every resource' },
      UploadsBucket: { value: this.uploadsBucket.bucketName, description: 'The uploads bucket' },
      FilesTable: { value: this.filesTable.tableName, description: 'The files table' },
      ConsoleUrl: { value: this.webConsole.url, description: 'The web console' },
      OrderStateMachineArn: { value: this.orders.workflow.stateMachine.stateMachineArn, description: 'The order saga' },
    };
    for (const [name, { value, description }] of Object.entries(outputs)) {
      new CfnOutput(this, name, { value, description });
    }
  }
}
