/**
 * The local S3's request handler: authenticates the request (auth.ts), picks the operation from
 * the method, the path and the query, as S3's REST API does, and answers failures with S3's XML
 * errors (the one place an S3Error becomes a response).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bucketArn } from './access.js';
import type { S3PrincipalLookup } from './access.js';
import { authenticate } from './auth.js';
import { type S3Context, authorize, baseHeaders, newRequestIds, parseTarget, sendEmpty, sendXml } from './context.js';
import { bucketCors, corsHeaders, preflight } from './cors.js';
import { S3Error, accessDenied, methodNotAllowed, notImplemented } from './errors.js';
import type { EventBus } from './events.js';
import { listObjectVersions, listObjects } from './listing.js';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listMultipartUploads, listParts, uploadPart } from './multipart.js';
import { deleteObject, deleteObjects } from './objects-delete.js';
import { getObject } from './objects-read.js';
import { copyObject, putObject } from './objects-write.js';
import type { Bucket, ObjectStoreBuckets } from './store.js';
import { errorDocument, xmlDocument } from './xml.js';

export interface HandlerOptions {
  readonly buckets: ObjectStoreBuckets;
  readonly principals: S3PrincipalLookup;
  readonly events: EventBus;
  readonly region: string;
  readonly log: (line: string) => void;
}

const lowerCaseHeaders = (request: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
};

async function bucketOperation(context: S3Context, bucket: Bucket, region: string): Promise<void> {
  const { method, query } = context;
  if (query.has('cors')) return bucketCors(context, bucket);
  if (method === 'GET' && query.has('versions')) return listObjectVersions(context, bucket);
  if (method === 'GET' && query.has('uploads')) return listMultipartUploads(context, bucket);
  if (method === 'GET' && query.has('versioning')) {
    authorize(context, 's3:GetBucketVersioning', bucketArn(bucket.name));
    const status = bucket.versioning === 'Unversioned' ? undefined : bucket.versioning;
    return sendXml(context, 200, xmlDocument('VersioningConfiguration', { Status: status }));
  }
  if (method === 'GET' && query.has('location')) {
    authorize(context, 's3:GetBucketLocation', bucketArn(bucket.name));
    return sendXml(context, 200, xmlDocument('LocationConstraint', {}).replace('></LocationConstraint>', `>${region === 'us-east-1' ? '' : region}</LocationConstraint>`));
  }
  if (method === 'GET' && [...query.keys()].every((name) => LIST_PARAMETERS.has(name))) return listObjects(context, bucket);
  if (method === 'HEAD') {
    authorize(context, 's3:ListBucket', bucketArn(bucket.name));
    return sendEmpty(context, 200, { 'x-amz-bucket-region': region });
  }
  if (method === 'POST' && query.has('delete')) return deleteObjects(context, bucket);
  throw notImplemented(`${method} on a bucket with ${[...query.keys()].join(', ') || 'no subresource'}`);
}

const LIST_PARAMETERS = new Set(['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'fetch-owner', 'encoding-type', 'marker', 'x-id']);

/** Object subresources this S3 does not serve: answered 501, never as the object itself. */
const UNSERVED_SUBRESOURCES = ['acl', 'tagging', 'attributes', 'legal-hold', 'retention', 'torrent', 'restore', 'select', 'renameObject'];

async function objectOperation(context: S3Context, bucket: Bucket): Promise<void> {
  const { method, query, headers } = context;
  const unserved = UNSERVED_SUBRESOURCES.find((name) => query.has(name));
  if (unserved !== undefined) throw notImplemented(`${method} ?${unserved}`);
  switch (method) {
    case 'GET':
      return query.has('uploadId') ? listParts(context, bucket) : getObject(context, bucket, false);
    case 'HEAD':
      return getObject(context, bucket, true);
    case 'PUT':
      if (query.has('uploadId')) return uploadPart(context, bucket);
      return headers['x-amz-copy-source'] !== undefined ? copyObject(context, bucket) : putObject(context, bucket);
    case 'POST':
      if (query.has('uploads')) return createMultipartUpload(context, bucket);
      if (query.has('uploadId')) return completeMultipartUpload(context, bucket);
      throw methodNotAllowed();
    case 'DELETE':
      return query.has('uploadId') ? abortMultipartUpload(context, bucket) : deleteObject(context, bucket);
    default:
      throw methodNotAllowed();
  }
}

export function createS3Handler(options: HandlerOptions): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const ids = newRequestIds();
    const url = request.url ?? '/';
    const method = (request.method ?? 'GET').toUpperCase();
    let resource = url.split('?')[0] ?? '/';
    try {
      const target = parseTarget(url);
      resource = `/${target.bucket}${target.key === '' ? '' : `/${target.key}`}`;
      if (method === 'OPTIONS') return preflight(request, response, options.buckets.byName.get(target.bucket));
      const headers = lowerCaseHeaders(request);
      // Authentication comes before any answer that depends on what exists.
      const principal = await authenticate({ method, url, headers }, options.principals);
      if (target.bucket === '') {
        if (method !== 'GET') throw methodNotAllowed();
        if (!principal.allows('s3:ListAllMyBuckets', '*')) throw accessDenied();
        return sendXml({ response, ...ids }, 200, xmlDocument('ListAllMyBucketsResult', {
          Owner: { ID: 'local', DisplayName: 'local' },
          Buckets: { Bucket: [...options.buckets.byName.keys()].map((name) => ({ Name: name, CreationDate: new Date(0).toISOString(), BucketRegion: options.region })) },
        }));
      }
      const found = options.buckets.get(target.bucket);
      for (const [name, value] of Object.entries(corsHeaders(found, request))) response.setHeader(name, value);
      const context: S3Context = {
        request,
        response,
        method,
        bucketName: target.bucket,
        key: target.key,
        query: target.query,
        headers,
        principal,
        ...ids,
        buckets: options.buckets,
        events: options.events,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        log: options.log,
      };
      await (target.key === '' ? bucketOperation(context, found, options.region) : objectOperation(context, found));
    } catch (error) {
      request.resume();
      if (response.headersSent) {
        response.destroy(error instanceof Error ? error : undefined);
        return;
      }
      const s3Error = error instanceof S3Error ? error : new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.');
      if (!(error instanceof S3Error)) options.log(`S3 ${method} ${resource}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      const body = Buffer.from(errorDocument(s3Error, resource, ids.requestId));
      response.writeHead(s3Error.status, {
        ...baseHeaders(ids),
        'content-type': 'application/xml',
        'content-length': String(body.length),
        ...s3Error.headers,
      });
      response.end(method === 'HEAD' ? undefined : body);
    }
  };
}
