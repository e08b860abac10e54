import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';

export class ChatStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const api = new appsync.GraphqlApi(this, 'ChatApi', {
      name: 'chat',
      definition: appsync.Definition.fromFile(path.join(__dirname, '..', 'schema.graphql')),
      authorizationConfig: {
        defaultAuthorization: {
          authorizationType: appsync.AuthorizationType.API_KEY,
          apiKeyConfig: { expires: cdk.Expiration.after(cdk.Duration.days(30)) },
        },
      },
    });

    const table = new dynamodb.Table(this, 'Messages', {
      partitionKey: { name: 'room', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });

    const messages = new NodejsFunction(this, 'MessagesFunction', {
      entry: path.join(__dirname, '..', 'lambda', 'messages.ts'),
      runtime: lambda.Runtime.NODEJS_22_X,
      environment: { TABLE_NAME: table.tableName },
    });
    table.grantReadWriteData(messages);
    const messagesSource = api.addLambdaDataSource('MessagesSource', messages);
    messagesSource.createResolver('PostMessage', { typeName: 'Mutation', fieldName: 'postMessage' });
    messagesSource.createResolver('ListMessages', { typeName: 'Query', fieldName: 'messages' });

    const echo = new lambda.Function(this, 'EchoFunction', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (event) => ({ echoed: event.arguments.text.toUpperCase() });'),
    });
    api.addLambdaDataSource('EchoSource', echo).createResolver('Echo', { typeName: 'Query', fieldName: 'echo' });

    const python = new lambda.Function(this, 'PythonFunction', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'index.handler',
      code: lambda.Code.fromInline('def handler(event, context):\n    return "from python"\n'),
    });
    api.addLambdaDataSource('PythonSource', python).createResolver('FromPython', { typeName: 'Query', fieldName: 'fromPython' });
  }
}
