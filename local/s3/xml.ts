/**
 * S3's XML: response documents built from plain values, request documents (CompleteMultipartUpload,
 * Delete, CORSConfiguration) parsed with fast-xml-parser.
 */
import { XMLParser } from 'fast-xml-parser';
import { S3Error, malformedXml } from './errors.js';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** An element's content: text, children (repeated when a value is an array), or nothing (omitted). */
export type XmlValue = string | number | boolean | undefined | null | XmlNode | readonly XmlValue[];
export interface XmlNode {
  readonly [name: string]: XmlValue;
}

const render = (name: string, value: XmlValue): string => {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item: XmlValue) => render(name, item)).join('');
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value as XmlNode).map(([child, v]) => render(child, v)).join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
};

/** One element, for documents whose children interleave (ListObjectVersions). */
export const xmlElement = (name: string, value: XmlValue): string => render(name, value);

/** `<?xml ...?><Root xmlns="...">...</Root>` */
export const xmlDocument = (root: string, content: XmlNode): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NAMESPACE}">${Object.entries(content)
    .map(([name, value]) => render(name, value))
    .join('')}</${root}>`;

/** A document from elements already rendered, in order. */
export const xmlDocumentOf = (root: string, elements: readonly string[]): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NAMESPACE}">${elements.join('')}</${root}>`;

export const errorDocument = (error: S3Error, resource: string, requestId: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${render('Error', {
    Code: error.code,
    Message: error.message,
    ...error.details,
    Resource: resource,
    RequestId: requestId,
  })}`;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => ['Part', 'Object', 'CORSRule', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader'].includes(name),
});

/** The request body's root element, or MalformedXML. */
export const parseXml = (text: string, root: string): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch {
    throw malformedXml();
  }
  const element = (parsed as Record<string, unknown> | undefined)?.[root];
  if (element === undefined || element === null) throw malformedXml();
  return typeof element === 'object' ? (element as Record<string, unknown>) : {};
};

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]);
export const asText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
