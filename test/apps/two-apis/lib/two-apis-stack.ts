import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

const runtime = appsync.FunctionRuntime.JS_1_0_0;
const schema = (file: string) => appsync.Definition.fromFile(path.join(__dirname, '..', file));

const PUT_POST = `
import { util } from '@aws-appsync/utils';
import { put } from '@aws-appsync/utils/dynamodb';
export function request(ctx) { return put({ key: { id: util.autoId() }, item: { text: ctx.args.text } }); }
export function response(ctx) { return ctx.result; }
`;
const GET_POST = `
import { get } from '@aws-appsync/utils/dynamodb';
export function request(ctx) { return get({ key: { id: ctx.args.id } }); }
export function response(ctx) { return ctx.result; }
`;
const ECHO_POST = `
import { util } from '@aws-appsync/utils';
export function request(ctx) { return { payload: { id: util.autoId(), text: ctx.args.text } }; }
export function response(ctx) { return ctx.result; }
`;
const HELLO = `
export function request() { return { payload: 'hello from pings' }; }
export function response(ctx) { return ctx.result; }
`;

export class TwoApisStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    // First in the template: served where a one-API app's API is.
    const notes = new appsync.GraphqlApi(this, 'NotesApi', {
      name: 'notes',
      definition: schema('notes.graphql'),
      authorizationConfig: { defaultAuthorization: { authorizationType: appsync.AuthorizationType.API_KEY } },
    });
    const table = new dynamodb.Table(this, 'Posts', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    const posts = notes.addDynamoDbDataSource('PostsSource', table);
    posts.createResolver('PutPost', { typeName: 'Mutation', fieldName: 'post', runtime, code: appsync.Code.fromInline(PUT_POST) });
    posts.createResolver('GetPost', { typeName: 'Query', fieldName: 'post', runtime, code: appsync.Code.fromInline(GET_POST) });

    // The same mutation and subscription names as the first API, a NONE data source, its own key and IAM.
    const pings = new appsync.GraphqlApi(this, 'PingsApi', {
      name: 'pings',
      definition: schema('pings.graphql'),
      authorizationConfig: {
        defaultAuthorization: { authorizationType: appsync.AuthorizationType.API_KEY },
        additionalAuthorizationModes: [{ authorizationType: appsync.AuthorizationType.IAM }],
      },
    });
    const none = pings.addNoneDataSource('Local');
    none.createResolver('EchoPost', { typeName: 'Mutation', fieldName: 'post', runtime, code: appsync.Code.fromInline(ECHO_POST) });
    none.createResolver('Hello', { typeName: 'Query', fieldName: 'hello', runtime, code: appsync.Code.fromInline(HELLO) });

    // A function on the first API whose environment names both: each `Fn::GetAtt` resolves to its own API.
    const endpoints = new lambda.Function(this, 'EndpointsFunction', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(
        'exports.handler = async () => ({ notesUrl: process.env.NOTES_URL, pingsUrl: process.env.PINGS_URL, pingsRealtimeUrl: process.env.PINGS_REALTIME_URL, pingsId: process.env.PINGS_ID });',
      ),
      environment: {
        NOTES_URL: notes.graphqlUrl,
        PINGS_URL: pings.graphqlUrl,
        PINGS_REALTIME_URL: (pings.node.defaultChild as appsync.CfnGraphQLApi).attrRealtimeUrl,
        PINGS_ID: pings.apiId,
      },
    });
    notes.addLambdaDataSource('EndpointsSource', endpoints).createResolver('Endpoints', { typeName: 'Query', fieldName: 'endpoints' });

    new cdk.CfnOutput(this, 'NotesUrl', { value: notes.graphqlUrl });
    new cdk.CfnOutput(this, 'PingsUrl', { value: pings.graphqlUrl });
  }
}
