/**
 * CORS as S3 applies a bucket's rules: preflight OPTIONS answered from the first matching rule
 * (403 when none matches), and the matching rule's headers added to the actual response.
 * Get/Put/DeleteBucketCors keep the rules with the bucket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bucketArn } from './access.js';
import { receiveText } from './body.js';
import { type S3Context, authorize, sendEmpty, sendXml } from './context.js';
import { S3Error, malformedXml, noSuchCorsConfiguration } from './errors.js';
import type { Bucket, CorsRule } from './store.js';
import { asArray, parseXml, xmlDocument } from './xml.js';

const wildcard = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(value);

function matchingRule(bucket: Bucket, origin: string, method: string, requestHeaders: readonly string[]): CorsRule | undefined {
  return bucket.cors?.find(
    (rule) =>
      rule.allowedOrigins.some((o) => wildcard(o, origin)) &&
      rule.allowedMethods.includes(method.toUpperCase()) &&
      requestHeaders.every((h) => rule.allowedHeaders.some((allowed) => wildcard(allowed, h))),
  );
}

const ruleHeaders = (rule: CorsRule, origin: string): Record<string, string> => ({
  'access-control-allow-origin': rule.allowedOrigins.includes('*') ? '*' : origin,
  ...(rule.exposeHeaders.length > 0 ? { 'access-control-expose-headers': rule.exposeHeaders.join(', ') } : {}),
  vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
});

/** OPTIONS: needs no signature (browsers send none), as on S3. */
export function preflight(request: IncomingMessage, response: ServerResponse, bucket: Bucket | undefined): void {
  const origin = request.headers.origin;
  const method = request.headers['access-control-request-method'];
  const requested = String(request.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  const rule = bucket === undefined || origin === undefined || method === undefined ? undefined : matchingRule(bucket, origin, method, requested);
  if (rule === undefined || origin === undefined || method === undefined) {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessForbidden</Code><Message>CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.</Message></Error>`;
    response.writeHead(403, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
    response.end(body);
    return;
  }
  response.writeHead(200, {
    ...ruleHeaders(rule, origin),
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    ...(requested.length > 0 ? { 'access-control-allow-headers': requested.join(', ') } : {}),
    ...(rule.maxAgeSeconds === undefined ? {} : { 'access-control-max-age': String(rule.maxAgeSeconds) }),
    'content-length': '0',
  });
  response.end();
}

/** The CORS headers of an actual (signed) request from a browser. */
export function corsHeaders(bucket: Bucket, request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  if (origin === undefined) return {};
  const rule = matchingRule(bucket, origin, request.method ?? 'GET', []);
  return rule === undefined ? {} : ruleHeaders(rule, origin);
}

/** CloudFormation's `CorsConfiguration.CorsRules` (and the same names as S3's XML elements). */
export function corsRulesOf(rules: readonly Record<string, unknown>[]): CorsRule[] {
  const strings = (value: unknown) => asArray(value).map((v) => String(v));
  return rules.map((rule) => {
    const maxAge = rule['MaxAge'] ?? rule['MaxAgeSeconds'];
    return {
      allowedOrigins: strings(rule['AllowedOrigins'] ?? rule['AllowedOrigin']),
      allowedMethods: strings(rule['AllowedMethods'] ?? rule['AllowedMethod']).map((m) => m.toUpperCase()),
      allowedHeaders: strings(rule['AllowedHeaders'] ?? rule['AllowedHeader']),
      exposeHeaders: strings(rule['ExposedHeaders'] ?? rule['ExposeHeader']),
      ...(maxAge === undefined ? {} : { maxAgeSeconds: Number(maxAge) }),
    };
  });
}

export async function bucketCors(context: S3Context, bucket: Bucket): Promise<void> {
  const arn = bucketArn(bucket.name);
  if (context.method === 'GET') {
    authorize(context, 's3:GetBucketCORS', arn);
    if (bucket.cors === undefined) throw noSuchCorsConfiguration(bucket.name);
    sendXml(
      context,
      200,
      xmlDocument('CORSConfiguration', {
        CORSRule: bucket.cors.map((rule) => ({
          AllowedHeader: rule.allowedHeaders,
          AllowedMethod: rule.allowedMethods,
          AllowedOrigin: rule.allowedOrigins,
          ExposeHeader: rule.exposeHeaders,
          MaxAgeSeconds: rule.maxAgeSeconds,
        })),
      }),
    );
    return;
  }
  authorize(context, 's3:PutBucketCORS', arn);
  if (context.method === 'DELETE') {
    context.request.resume();
    await bucket.setCors(undefined);
    sendEmpty(context, 204);
    return;
  }
  const text = await receiveText(context, bucket.temporaryPath());
  const rules = corsRulesOf(asArray(parseXml(text, 'CORSConfiguration')['CORSRule']) as Record<string, unknown>[]);
  if (rules.length === 0 || rules.some((r) => r.allowedOrigins.length === 0 || r.allowedMethods.length === 0)) throw malformedXml();
  if (rules.some((r) => r.allowedMethods.some((m) => !['GET', 'PUT', 'POST', 'DELETE', 'HEAD'].includes(m)))) {
    throw new S3Error('InvalidRequest', 400, 'Found unsupported HTTP method in CORS config.');
  }
  await bucket.setCors(rules);
  sendEmpty(context, 200);
}
