import * as cdk from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

const SCHEMA = `
type Book @aws_api_key { id: ID! title: String! }
type Query @aws_api_key {
  book(id: ID!): Book
  signedBook(id: ID!): Book
}
type Mutation @aws_api_key {
  addBook(title: String!): Book
}
schema { query: Query mutation: Mutation }
`;

const GET_BOOK = `{
  "version": "2018-05-29",
  "method": "GET",
  "resourcePath": "/books/$util.urlEncode($ctx.args.id)",
  "params": { "headers": { "accept": "application/json" } }
}`;

const HTTP_RESULT = `#if($ctx.error)
  $util.error($ctx.error.message, $ctx.error.type)
#end
#if($ctx.result.statusCode == 200)
  $ctx.result.body
#else
  $util.error("Book service said $ctx.result.statusCode", "HttpError")
#end`;

const ADD_BOOK = `import { util } from '@aws-appsync/utils';
export function request(ctx) {
  return {
    method: 'POST',
    resourcePath: '/books',
    params: { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: ctx.args.title }) },
  };
}
export function response(ctx) {
  if (ctx.result.statusCode !== 201) util.error('not created', 'HttpError');
  return JSON.parse(ctx.result.body);
}`;

export interface HttpL1StackProps extends cdk.StackProps {
  readonly endpoint: string;
}

export class HttpL1Stack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: HttpL1StackProps) {
    super(scope, id, props);
    const api = new appsync.CfnGraphQLApi(this, 'BooksApi', { name: 'books', authenticationType: 'API_KEY' });
    const schema = new appsync.CfnGraphQLSchema(this, 'Schema', { apiId: api.attrApiId, definition: SCHEMA });
    new appsync.CfnApiKey(this, 'Key', { apiId: api.attrApiId });

    const role = new iam.Role(this, 'SigningRole', { assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com') });
    const plain = new appsync.CfnDataSource(this, 'Books', {
      apiId: api.attrApiId,
      name: 'books',
      type: 'HTTP',
      httpConfig: { endpoint: props.endpoint },
    });
    const signed = new appsync.CfnDataSource(this, 'SignedBooks', {
      apiId: api.attrApiId,
      name: 'signedBooks',
      type: 'HTTP',
      serviceRoleArn: role.roleArn,
      httpConfig: {
        endpoint: props.endpoint,
        authorizationConfig: { authorizationType: 'AWS_IAM', awsIamConfig: { signingRegion: 'eu-west-1', signingServiceName: 'execute-api' } },
      },
    });
    const resolvers = [
      new appsync.CfnResolver(this, 'Book', { apiId: api.attrApiId, typeName: 'Query', fieldName: 'book', dataSourceName: plain.name, requestMappingTemplate: GET_BOOK, responseMappingTemplate: HTTP_RESULT }),
      new appsync.CfnResolver(this, 'SignedBook', { apiId: api.attrApiId, typeName: 'Query', fieldName: 'signedBook', dataSourceName: signed.name, requestMappingTemplate: GET_BOOK, responseMappingTemplate: HTTP_RESULT }),
      new appsync.CfnResolver(this, 'AddBook', {
        apiId: api.attrApiId,
        typeName: 'Mutation',
        fieldName: 'addBook',
        dataSourceName: plain.name,
        runtime: { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' },
        code: ADD_BOOK,
      }),
    ];
    for (const resolver of resolvers) {
      resolver.addDependency(schema);
      resolver.addDependency(plain);
      resolver.addDependency(signed);
    }
  }
}
