/**
 * The VTL a Lambda data source needs in amplify-appsync-simulator to behave as a direct Lambda
 * resolver does on AppSync (the simulator runs no template-less resolvers): the event AppSync
 * sends, and the answer that turns a function error into a GraphQL error typed by its name.
 */
export const LAMBDA_REQUEST = `{
  "version": "2018-05-29",
  "operation": "Invoke",
  "payload": {
    "arguments": $util.toJson($ctx.arguments),
    "identity": $util.toJson($ctx.identity),
    "source": $util.toJson($ctx.source),
    "request": { "headers": $util.toJson($ctx.request.headers), "domainName": null },
    "info": $util.toJson($ctx.info),
    "prev": null,
    "stash": {}
  }
}`;

export const LAMBDA_RESPONSE = `#if($ctx.error)
  $util.error($ctx.error.message, $ctx.error.type)
#end
$util.toJson($ctx.result)`;
