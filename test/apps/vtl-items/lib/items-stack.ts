import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';


export class ItemsStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const api = new appsync.GraphqlApi(this, 'ItemsApi', {
      name: 'items-vtl',
      definition: appsync.Definition.fromSchema(appsync.SchemaFile.fromAsset(path.join(__dirname, '..', 'schema.graphql'))),
    });
    const table = new dynamodb.Table(this, 'Items', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    const items = api.addDynamoDbDataSource('ItemsSource', table);
    items.createResolver('AddItem', {
      typeName: 'Mutation',
      fieldName: 'addItem',
      requestMappingTemplate: appsync.MappingTemplate.dynamoDbPutItem(appsync.PrimaryKey.partition('id').auto(), appsync.Values.projecting('input')),
      responseMappingTemplate: appsync.MappingTemplate.dynamoDbResultItem(),
    });
    items.createResolver('GetItem', {
      typeName: 'Query',
      fieldName: 'getItem',
      requestMappingTemplate: appsync.MappingTemplate.dynamoDbGetItem('id', 'id'),
      responseMappingTemplate: appsync.MappingTemplate.dynamoDbResultItem(),
    });
    items.createResolver('ListItems', {
      typeName: 'Query',
      fieldName: 'listItems',
      requestMappingTemplate: appsync.MappingTemplate.dynamoDbScanTable(),
      responseMappingTemplate: appsync.MappingTemplate.dynamoDbResultList(),
    });
    items.createResolver('DeleteItem', {
      typeName: 'Mutation',
      fieldName: 'deleteItem',
      requestMappingTemplate: appsync.MappingTemplate.dynamoDbDeleteItem('id', 'id'),
      responseMappingTemplate: appsync.MappingTemplate.dynamoDbResultItem(),
    });
    // The table's name joined into the template (Fn::Join in the template), as batch samples do.
    items.createResolver('AddItems', {
      typeName: 'Mutation',
      fieldName: 'addItems',
      requestMappingTemplate: appsync.MappingTemplate.fromString(`#set($items = [])
#foreach($name in $ctx.args.names)
  $util.qr($items.add($util.dynamodb.toMapValues({ "id": $util.autoId(), "name": $name })))
#end
{ "version": "2018-05-29", "operation": "BatchPutItem", "tables": { "${table.tableName}": $util.toJson($items) } }`),
      responseMappingTemplate: appsync.MappingTemplate.fromString(`$util.toJson($ctx.result.data.get("${table.tableName}"))`),
    });
    api.addNoneDataSource('Local').createResolver('Hello', {
      typeName: 'Query',
      fieldName: 'hello',
      requestMappingTemplate: appsync.MappingTemplate.fromString(
        '#set($name = $util.defaultIfNullOrBlank($ctx.args.name, "world"))\n{ "version": "2018-05-29", "payload": { "greeting": "Hello, ${name}!" } }',
      ),
      responseMappingTemplate: appsync.MappingTemplate.fromString('$util.toJson($ctx.result.greeting)'),
    });
    new cdk.CfnOutput(this, 'Url', { value: api.graphqlUrl });
  }
}
