import { KeyCondition, MappingTemplate, PrimaryKey, Values } from 'aws-cdk-lib/aws-appsync';
import { describe, expect, it } from 'vitest';
import { ResolverAbort, newEffects } from '../../../local/graphql/appsync-js.js';
import { compileTemplate } from '../../../local/graphql/vtl/render.js';

/**
 * VTL mapping templates rendered as AppSync renders them: CDK's own `MappingTemplate` helpers
 * (what `dynamoDbGetItem`, `dynamoDbPutItem`, `dynamoDbQuery`, `dynamoDbResultList` write) and
 * the template language's directives, `$ctx`, `$util` and `#return`.
 */
const ctx = (over: Record<string, unknown> = {}) => ({
  arguments: {},
  args: {},
  identity: null,
  source: null,
  stash: {},
  prev: null,
  result: undefined,
  error: undefined,
  ...over,
});

const render = (template: string, context = ctx()) => compileTemplate(template, 'test').run(context, newEffects());

describe("CDK's MappingTemplate helpers", () => {
  it('given dynamoDbGetItem, when rendered for an id argument, then the GetItem request has the typed key', () => {
    const out = render(MappingTemplate.dynamoDbGetItem('id', 'id').renderTemplate(), ctx({ args: { id: 'n1' }, arguments: { id: 'n1' } }));
    expect(out.early).toBe(false);
    expect(out.value).toMatchObject({ version: '2017-02-28', operation: 'GetItem', key: { id: { S: 'n1' } } });
  });

  it('given dynamoDbPutItem with an auto id and projected input, when rendered, then the item is the input and the key a new UUID', () => {
    const template = MappingTemplate.dynamoDbPutItem(PrimaryKey.partition('id').auto(), Values.projecting('input')).renderTemplate();
    const out = render(template, ctx({ args: { input: { title: 't', views: 3 } }, arguments: { input: { title: 't', views: 3 } } }));
    const request = out.value as { operation: string; key: { id: { S: string } }; attributeValues: unknown };
    expect(request.operation).toBe('PutItem');
    expect(request.key.id.S).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.attributeValues).toEqual({ title: { S: 't' }, views: { N: 3 } });
  });

  it('given dynamoDbQuery on a key condition, when rendered, then the query expression names its attribute and value', () => {
    const template = MappingTemplate.dynamoDbQuery(KeyCondition.eq('authorId', 'authorId'), 'byAuthor').renderTemplate();
    const out = render(template, ctx({ args: { authorId: 'a1' }, arguments: { authorId: 'a1' } }));
    expect(out.value).toMatchObject({
      operation: 'Query',
      index: 'byAuthor',
      query: { expression: '#authorId = :authorId', expressionNames: { '#authorId': 'authorId' }, expressionValues: { ':authorId': { S: 'a1' } } },
    });
  });

  it('given dynamoDbResultList and dynamoDbResultItem, when rendered over a result, then the items and the item come back', () => {
    const items = [{ id: 'a' }, { id: 'b' }];
    expect(render(MappingTemplate.dynamoDbResultList().renderTemplate(), ctx({ result: { items } })).value).toEqual(items);
    expect(render(MappingTemplate.dynamoDbResultItem().renderTemplate(), ctx({ result: { id: 'a' } })).value).toEqual({ id: 'a' });
  });
});

describe('the template language', () => {
  it('given a stash put through $util.qr and a foreach, when rendered, then the output is the JSON written', () => {
    const context = ctx({ args: { tags: ['x', 'y', 'z'] } });
    const out = render(
      `$util.qr($ctx.stash.put("seen", true))
{ "tags": [#foreach($t in $ctx.args.tags)"$t"#if($foreach.hasNext),#end#end], "count": $ctx.args.tags.size(), "empty": $ctx.args.tags.isEmpty() }`,
      context,
    );
    expect(out.value).toEqual({ tags: ['x', 'y', 'z'], count: 3, empty: false });
    expect(context.stash).toEqual({ seen: true });
  });

  it('given #return with and without a value, when rendered, then the template ends early with it', () => {
    expect(render('#if(true)#return({"a": 1})#end\n{"b": 2}')).toEqual({ early: true, value: { a: 1 } });
    expect(render('#return\n{"b": 2}')).toEqual({ early: true, value: null });
  });

  it('given $util.error in a template, when rendered, then the resolver aborts with its message and type unchanged', () => {
    let thrown: unknown;
    try {
      render('#if($ctx.args.id == "x")$util.error("bad id", "BadRequest", {"id": "x"})#end\n{}', ctx({ args: { id: 'x' } }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ResolverAbort);
    expect([(thrown as ResolverAbort).message, (thrown as ResolverAbort).errorType, (thrown as ResolverAbort).data]).toEqual(['bad id', 'BadRequest', { id: 'x' }]);
  });

  it('given $util.appendError, when rendered, then the error is recorded and the template goes on', () => {
    const effects = newEffects();
    const out = compileTemplate('$util.appendError("careful", "Warning")\n{"ok": true}', 'test').run(ctx(), effects);
    expect(out.value).toEqual({ ok: true });
    expect(effects.appendedErrors.map((e) => [e.message, e.errorType])).toEqual([['careful', 'Warning']]);
  });

  it('given Java string and map methods, when called, then they behave as on Java objects', () => {
    const out = render('{"len": $ctx.args.s.length(), "has": $ctx.args.m.containsKey("a"), "rep": "$ctx.args.s.replace("a", "o")"}', ctx({ args: { s: 'banana', m: { a: 1 } } }));
    expect(out.value).toEqual({ len: 6, has: true, rep: 'bonono' });
  });

  it('given output that is not JSON, when rendered, then it is a MappingTemplate error', () => {
    expect(() => render('not json')).toThrow(/not JSON/);
  });
});
