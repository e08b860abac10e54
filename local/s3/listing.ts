/** ListObjectsV2, ListObjects (v1) and ListObjectVersions: prefixes, delimiters, pages. */
import { bucketArn } from './access.js';
import { type S3Context, authorize, sendXml } from './context.js';
import { invalidArgument } from './errors.js';
import type { Bucket } from './store.js';
import type { ObjectVersion } from './versioning.js';
import { type XmlNode, xmlDocument, xmlDocumentOf, xmlElement } from './xml.js';

const OWNER = { ID: 'local', DisplayName: 'local' };

function maxKeysOf(context: S3Context): number {
  const text = context.query.get('max-keys');
  if (text === undefined) return 1000;
  if (!/^\d+$/.test(text)) throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', text);
  return Math.min(Number(text), 1000);
}

interface Walk<T> {
  readonly entries: T[];
  readonly prefixes: string[];
  readonly truncated: boolean;
  /** The last key or common prefix returned (the next page starts after it). */
  readonly last: string | undefined;
}

/**
 * Walks keys after `after` in order, folding keys that share a prefix up to `delimiter` into one
 * common prefix, until `max` entries and prefixes have been collected.
 */
function walk<T>(
  keys: readonly string[],
  options: { prefix: string; delimiter: string; after: string; max: number },
  entriesOf: (key: string) => T[],
): Walk<T> {
  const entries: T[] = [];
  const prefixes: string[] = [];
  let count = 0;
  let last: string | undefined;
  let truncated = false;
  const after = Buffer.from(options.after);
  for (const key of keys) {
    if (!key.startsWith(options.prefix)) continue;
    if (options.after !== '' && Buffer.compare(Buffer.from(key), after) <= 0) continue;
    let commonPrefix: string | undefined;
    if (options.delimiter !== '') {
      const at = key.indexOf(options.delimiter, options.prefix.length);
      if (at >= 0) commonPrefix = key.slice(0, at + options.delimiter.length);
    }
    if (commonPrefix !== undefined && commonPrefix === prefixes[prefixes.length - 1]) continue;
    if (commonPrefix !== undefined && options.after.startsWith(commonPrefix)) continue;
    const found = commonPrefix === undefined ? entriesOf(key) : [];
    if (commonPrefix === undefined && found.length === 0) continue;
    if (count >= options.max) {
      truncated = true;
      break;
    }
    if (commonPrefix !== undefined) {
      prefixes.push(commonPrefix);
      last = commonPrefix;
    } else {
      entries.push(...found);
      last = key;
    }
    count += 1;
  }
  return { entries, prefixes, truncated, last };
}

const encoder = (context: S3Context) => {
  const type = context.query.get('encoding-type');
  if (type !== undefined && type !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
  return type === 'url' ? (text: string) => encodeURIComponent(text).replace(/%2F/g, '/') : (text: string) => text;
};

export function listObjects(context: S3Context, bucket: Bucket): void {
  authorize(context, 's3:ListBucket', bucketArn(bucket.name));
  const v2 = context.query.get('list-type') === '2';
  const prefix = context.query.get('prefix') ?? '';
  const delimiter = context.query.get('delimiter') ?? '';
  const max = maxKeysOf(context);
  const token = context.query.get('continuation-token');
  const startAfter = context.query.get('start-after');
  const marker = context.query.get('marker');
  let after = (v2 ? startAfter : marker) ?? '';
  if (v2 && token !== undefined) {
    after = Buffer.from(token, 'base64url').toString('utf8');
  }
  const encode = encoder(context);
  const page = walk(bucket.sortedKeys(), { prefix, delimiter, after, max }, (key) => {
    const current = bucket.versions(key)[0];
    return current?.kind === 'object' ? [{ key, object: current }] : [];
  });
  const contents = page.entries.map(({ key, object }) => ({
    Key: encode(key),
    LastModified: object.lastModified,
    ETag: object.etag,
    ChecksumAlgorithm: object.checksum.algorithm,
    ChecksumType: object.checksum.type,
    Size: object.size,
    StorageClass: 'STANDARD',
    Owner: v2 && context.query.get('fetch-owner') !== 'true' ? undefined : OWNER,
  }));
  const common = page.prefixes.map((p) => ({ Prefix: encode(p) }));
  const shared: XmlNode = {
    Name: bucket.name,
    Prefix: encode(prefix),
    Delimiter: delimiter === '' ? undefined : encode(delimiter),
    MaxKeys: max,
    EncodingType: context.query.get('encoding-type'),
    IsTruncated: page.truncated,
  };
  const next = page.truncated && page.last !== undefined ? page.last : undefined;
  const document = v2
    ? xmlDocument('ListBucketResult', {
        ...shared,
        KeyCount: contents.length + common.length,
        ContinuationToken: token,
        NextContinuationToken: next === undefined ? undefined : Buffer.from(next).toString('base64url'),
        StartAfter: startAfter === undefined ? undefined : encode(startAfter),
        Contents: contents,
        CommonPrefixes: common,
      })
    : xmlDocument('ListBucketResult', {
        ...shared,
        Marker: encode(marker ?? ''),
        NextMarker: next !== undefined && delimiter !== '' ? encode(next) : undefined,
        Contents: contents,
        CommonPrefixes: common,
      });
  sendXml(context, 200, document);
}

/** GET /bucket?versions: every version and delete marker, keys in order, newest version first [VER23][LOVO]. */
export function listObjectVersions(context: S3Context, bucket: Bucket): void {
  authorize(context, 's3:ListBucketVersions', bucketArn(bucket.name));
  const prefix = context.query.get('prefix') ?? '';
  const delimiter = context.query.get('delimiter') ?? '';
  const max = maxKeysOf(context);
  const keyMarker = context.query.get('key-marker') ?? '';
  const versionIdMarker = context.query.get('version-id-marker') ?? '';
  const encode = encoder(context);
  type Entry = { key: string; version: ObjectVersion; latest: boolean };
  // A page may end inside a key's versions: resume after the version-id marker within the marker key.
  const entries: Entry[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let nextKey: string | undefined;
  let nextVersion: string | undefined;
  const keys = bucket.sortedKeys();
  const resumeWithin = keyMarker !== '' && versionIdMarker !== '' ? keyMarker : undefined;
  const startAfter = resumeWithin === undefined ? keyMarker : '';
  const page = walk(keys, { prefix, delimiter, after: startAfter, max: Number.MAX_SAFE_INTEGER }, (key) => {
    const versions = bucket.versions(key);
    let list = versions.map((version, index) => ({ key, version, latest: index === 0 }));
    if (resumeWithin !== undefined) {
      const cmp = Buffer.compare(Buffer.from(key), Buffer.from(resumeWithin));
      if (cmp < 0) return [];
      if (cmp === 0) list = list.slice(list.findIndex((e) => e.version.versionId === versionIdMarker) + 1);
    }
    return list;
  });
  let count = 0;
  type Item = { readonly sortKey: string; readonly entry?: Entry; readonly prefix?: string };
  const order: Item[] = [
    ...page.entries.map((entry) => ({ sortKey: entry.key, entry })),
    ...page.prefixes.map((prefix) => ({ sortKey: prefix, prefix })),
  ].sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
  for (const item of order) {
    if (count >= max) {
      truncated = true;
      break;
    }
    if (item.entry !== undefined) {
      entries.push(item.entry);
      nextKey = item.entry.key;
      nextVersion = item.entry.version.versionId;
    } else if (item.prefix !== undefined) {
      prefixes.push(item.prefix);
      nextKey = item.prefix;
      nextVersion = undefined;
    }
    count += 1;
  }
  const elements = [
    xmlElement('Name', bucket.name),
    xmlElement('Prefix', encode(prefix)),
    xmlElement('KeyMarker', encode(keyMarker)),
    xmlElement('VersionIdMarker', versionIdMarker),
    ...(truncated && nextKey !== undefined ? [xmlElement('NextKeyMarker', encode(nextKey)), xmlElement('NextVersionIdMarker', nextVersion)] : []),
    xmlElement('MaxKeys', max),
    ...(delimiter === '' ? [] : [xmlElement('Delimiter', encode(delimiter))]),
    xmlElement('EncodingType', context.query.get('encoding-type')),
    xmlElement('IsTruncated', truncated),
    ...entries.map(({ key, version, latest }) =>
      version.kind === 'deleteMarker'
        ? xmlElement('DeleteMarker', { Key: encode(key), VersionId: version.versionId, IsLatest: latest, LastModified: version.lastModified, Owner: OWNER })
        : xmlElement('Version', {
            Key: encode(key),
            VersionId: version.versionId,
            IsLatest: latest,
            LastModified: version.lastModified,
            ETag: version.etag,
            Size: version.size,
            StorageClass: 'STANDARD',
            Owner: OWNER,
            ChecksumAlgorithm: version.checksum.algorithm,
            ChecksumType: version.checksum.type,
          }),
    ),
    ...prefixes.map((p) => xmlElement('CommonPrefixes', { Prefix: encode(p) })),
  ];
  sendXml(context, 200, xmlDocumentOf('ListVersionsResult', elements));
}
