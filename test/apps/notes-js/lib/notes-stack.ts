import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

const code = (file: string) => appsync.Code.fromAsset(path.join(__dirname, '..', 'resolvers', file));

export class NotesStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const api = new appsync.GraphqlApi(this, 'Api', {
      name: this.node.tryGetContext('notes:apiName') ?? 'notes',
      definition: appsync.Definition.fromFile(path.join(__dirname, '..', 'schema.graphql')),
      authorizationConfig: {
        defaultAuthorization: { authorizationType: appsync.AuthorizationType.API_KEY },
      },
    });

    const notes = new dynamodb.Table(this, 'Notes', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    notes.addGlobalSecondaryIndex({
      indexName: 'byAuthor',
      partitionKey: { name: 'authorId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
    });
    const authors = new dynamodb.Table(this, 'Authors', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });

    const notesSource = api.addDynamoDbDataSource('NotesSource', notes);
    const authorsSource = api.addDynamoDbDataSource('AuthorsSource', authors);
    const runtime = appsync.FunctionRuntime.JS_1_0_0;

    authorsSource.createResolver('CreateAuthor', { typeName: 'Mutation', fieldName: 'createAuthor', runtime, code: code('create-author.js') });
    notesSource.createResolver('GetNote', { typeName: 'Query', fieldName: 'getNote', runtime, code: code('get-note.js') });
    notesSource.createResolver('NotesByAuthor', { typeName: 'Query', fieldName: 'notesByAuthor', runtime, code: code('notes-by-author.js') });
    notesSource.createResolver('TouchNote', { typeName: 'Mutation', fieldName: 'touchNote', runtime, code: code('touch-note.js') });
    authorsSource.createResolver('NoteAuthor', { typeName: 'Note', fieldName: 'author', runtime, code: code('note-author.js') });

    const checkAuthor = new appsync.AppsyncFunction(this, 'CheckAuthor', {
      api,
      name: 'checkAuthor',
      dataSource: authorsSource,
      runtime,
      code: code('check-author.js'),
    });
    const putNote = new appsync.AppsyncFunction(this, 'PutNote', {
      api,
      name: 'putNote',
      dataSource: notesSource,
      runtime,
      code: code('put-note.js'),
    });
    new appsync.Resolver(this, 'CreateNote', {
      api,
      typeName: 'Mutation',
      fieldName: 'createNote',
      runtime,
      code: code('pipeline.js'),
      pipelineConfig: [checkAuthor, putNote],
    });

    new cdk.CfnOutput(this, 'GraphQLUrl', { value: api.graphqlUrl });
    new cdk.CfnOutput(this, 'ApiKey', { value: api.apiKey ?? '' });
  }
}
