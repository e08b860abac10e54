/**
 * The MD5 digests SQS returns with messages: of the body (the SDK checks it on send and
 * receive), and of the message attributes, computed as the SQS developer guide describes
 * ("Calculating the MD5 message digest for message attributes"): for each attribute in name
 * order, the name, the data type, a transport byte (1 string, 2 binary) and the value, each
 * length-prefixed (4 bytes, big endian).
 */
import { createHash } from 'node:crypto';

export interface AttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export const md5Hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

export function md5OfMessageAttributes(attributes: Readonly<Record<string, AttributeValue>>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const value = attributes[name];
    if (value === undefined) continue;
    parts.push(lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(Buffer.from(value.DataType, 'utf8')));
    if (value.DataType.startsWith('Binary')) {
      parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(value.BinaryValue ?? '', 'base64')));
    } else {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8')));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}
