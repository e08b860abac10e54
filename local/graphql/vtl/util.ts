/**
 * `$util` (and `$utils`) of VTL mapping templates, as AppSync's resolver mapping template
 * reference documents it. Errors, appended errors and `$extensions` go to the call's effects
 * (effects.ts), as in the APPSYNC_JS runtime.
 */
import { randomUUID } from 'node:crypto';
import { toSubscriptionFilter } from '../filters.js';
import { extensions, util as jsUtil } from '../js-util.js';
import { vtlDynamoDbHelpers } from '../util/dynamodb.js';
import { timeHelpers } from '../util/time.js';
import { toDynamoDBExpression } from '../util/transform.js';
import { authTypeOf, ksuid } from '../util/ids.js';
import { copyHeaders, listHelpers, mapHelpers, mathHelpers, strHelpers, xmlHelpers } from '../util/text.js';

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isNullOrEmpty = (value: unknown) => value === null || value === undefined || value === '';
const isNullOrBlank = (value: unknown) => value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

const typeOf = (value: unknown): string => {
  if (value === null || value === undefined) return 'Null';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'number') return 'Number';
  if (typeof value === 'boolean') return 'Boolean';
  if (Array.isArray(value)) return 'List';
  return 'Map';
};

/** `$util` for one template evaluation (`identity` answers `$util.authType()`). */
export function vtlUtil(identity: unknown) {
  return {
    qr: () => '',
    quiet: () => '',
    escapeJavaScript: jsUtil.escapeJavaScript,
    urlEncode: (value: string) => encodeURIComponent(value).replace(/%20/g, '+'),
    urlDecode: (value: string) => decodeURIComponent(value.replace(/\+/g, ' ')),
    base64Encode: jsUtil.base64Encode,
    base64Decode: jsUtil.base64Decode,
    parseJson: (text: string) => JSON.parse(text) as unknown,
    toJson: (value: unknown) => JSON.stringify(value ?? null),
    autoId: () => randomUUID(),
    autoUlid: jsUtil.autoUlid,
    autoKsuid: ksuid,
    unauthorized: jsUtil.unauthorized,
    error: jsUtil.error,
    appendError: jsUtil.appendError,
    validate: (condition: boolean, message: string, errorType?: string, data?: unknown) => {
      if (!condition) jsUtil.error(message, errorType, data);
      return '';
    },
    isNull: (value: unknown) => value === null || value === undefined,
    isNullOrEmpty,
    isNullOrBlank,
    defaultIfNull: (value: unknown, fallback: unknown) => (value === null || value === undefined ? fallback : value),
    defaultIfNullOrEmpty: (value: unknown, fallback: unknown) => (isNullOrEmpty(value) ? fallback : value),
    defaultIfNullOrBlank: (value: unknown, fallback: unknown) => (isNullOrBlank(value) ? fallback : value),
    isString: (value: unknown) => typeof value === 'string',
    isNumber: (value: unknown) => typeof value === 'number',
    isBoolean: (value: unknown) => typeof value === 'boolean',
    isList: (value: unknown) => Array.isArray(value),
    isMap,
    typeOf,
    matches: (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`).test(value),
    authType: () => authTypeOf(identity),
    log: { info: () => '', error: () => '' },
    time: timeHelpers(),
    list: listHelpers,
    map: mapHelpers,
    dynamodb: vtlDynamoDbHelpers(),
    str: strHelpers,
    math: mathHelpers,
    xml: xmlHelpers,
    http: {
      copyHeaders,
      addResponseHeader: () => '',
      addResponseHeaders: () => '',
    },
    transform: {
      toDynamoDBFilterExpression: (filter: Record<string, unknown>) => JSON.stringify(toDynamoDBExpression(filter)),
      toDynamoDBConditionExpression: (condition: Record<string, unknown>) => JSON.stringify(toDynamoDBExpression(condition)),
      toSubscriptionFilter: (input: Record<string, unknown>, ignoredFields?: string[]) => toSubscriptionFilter(input, ignoredFields),
      toElasticsearchQueryDSL: () => jsUtil.error('$util.transform.toElasticsearchQueryDSL is not supported by the local stack (no OpenSearch data source)', 'UnsupportedOperation'),
    },
  };
}

export { extensions };
