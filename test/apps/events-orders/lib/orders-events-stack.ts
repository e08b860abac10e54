import * as cdk from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const PUT_EVENT = `
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'PutEvents',
    events: [{ source: 'shop.orders', detailType: 'OrderPlaced', detail: { orderId: ctx.args.id, total: ctx.args.total } }],
  };
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return { id: ctx.args.id, eventId: ctx.result.Entries[0].EventId };
}
`;

export class OrdersEventsStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const api = new appsync.GraphqlApi(this, 'Api', {
      name: 'orders-events',
      definition: appsync.Definition.fromSchema(
        appsync.SchemaFile.fromAsset(require('path').join(__dirname, '..', 'schema.graphql')),
      ),
    });
    const bus = new events.EventBus(this, 'OrdersBus', { eventBusName: 'orders' });
    const bigOrders = new sqs.Queue(this, 'BigOrders');
    new events.Rule(this, 'BigOrderPlaced', {
      eventBus: bus,
      eventPattern: { source: ['shop.orders'], detailType: ['OrderPlaced'], detail: { total: [{ numeric: ['>', 100] }] } },
      targets: [new targets.SqsQueue(bigOrders)],
    });
    api.addEventBridgeDataSource('Events', bus).createResolver('PlaceOrder', {
      typeName: 'Mutation',
      fieldName: 'placeOrder',
      runtime: appsync.FunctionRuntime.JS_1_0_0,
      code: appsync.Code.fromInline(PUT_EVENT),
    });
    api.addNoneDataSource('None').createResolver('Ping', {
      typeName: 'Query',
      fieldName: 'ping',
      runtime: appsync.FunctionRuntime.JS_1_0_0,
      code: appsync.Code.fromInline("export function request() { return { payload: 'pong' }; }\nexport function response(ctx) { return ctx.result; }"),
    });
    new cdk.CfnOutput(this, 'QueueUrl', { value: bigOrders.queueUrl });
  }
}
