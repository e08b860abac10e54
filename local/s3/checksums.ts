/**
 * The checksums S3 takes and reports (CRC64NVME, CRC32, CRC32C, SHA1, SHA256), computed with the
 * AWS SDK's own implementations, as the client computes them; MD5 for ETags and Content-MD5.
 */
import { createHash, type Hash } from 'node:crypto';
import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';
import { badDigest, invalidDigest, invalidRequest } from './errors.js';

export const CHECKSUM_ALGORITHMS = ['CRC64NVME', 'CRC32', 'CRC32C', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** `x-amz-checksum-crc32` and friends. */
export const checksumHeader = (algorithm: ChecksumAlgorithm): string => `x-amz-checksum-${algorithm.toLowerCase()}`;

export const algorithmOfHeader = (header: string): ChecksumAlgorithm | undefined =>
  CHECKSUM_ALGORITHMS.find((algorithm) => checksumHeader(algorithm) === header.toLowerCase());

/** Byte length of each algorithm's digest: a base64 value of another length is malformed (InvalidDigest). */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC64NVME: 8, CRC32: 4, CRC32C: 4, SHA1: 20, SHA256: 32 };

export interface Checksummer {
  update(data: Uint8Array): void;
  /** base64, as S3's headers carry it */
  digest(): Promise<string>;
}

const fromHash = (hash: Hash): Checksummer => ({
  update: (data) => hash.update(data),
  digest: async () => hash.digest('base64'),
});

export function checksummer(algorithm: ChecksumAlgorithm): Checksummer {
  switch (algorithm) {
    case 'SHA1':
      return fromHash(createHash('sha1'));
    case 'SHA256':
      return fromHash(createHash('sha256'));
    default: {
      const crc = algorithm === 'CRC32' ? new Crc32() : algorithm === 'CRC32C' ? new Crc32c() : new Crc64Nvme();
      return {
        update: (data) => crc.update(data),
        digest: async () => Buffer.from(await crc.digest()).toString('base64'),
      };
    }
  }
}

/** A checksum value the client claims: its base64 must decode to the algorithm's length. */
export function checkDigestFormat(algorithm: ChecksumAlgorithm, value: string): void {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || Buffer.from(value, 'base64').length !== DIGEST_BYTES[algorithm]) throw invalidDigest();
}

export interface DeclaredChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** The value in a header; undefined when it comes in the aws-chunked trailer. */
  readonly value: string | undefined;
}

/**
 * Which checksum a request declares: one `x-amz-checksum-*` header, or the trailer it names.
 * `x-amz-sdk-checksum-algorithm` needs one of them, of the same algorithm ([KPUT-CA]).
 */
export function declaredChecksum(headers: Readonly<Record<string, string>>): DeclaredChecksum | undefined {
  const trailer = headers['x-amz-trailer'];
  const inHeaders = CHECKSUM_ALGORITHMS.filter((algorithm) => headers[checksumHeader(algorithm)] !== undefined);
  if (inHeaders.length > 1) throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  let declared: DeclaredChecksum | undefined;
  const [fromHeader] = inHeaders;
  if (fromHeader !== undefined) {
    const value = headers[checksumHeader(fromHeader)] ?? '';
    checkDigestFormat(fromHeader, value);
    declared = { algorithm: fromHeader, value };
  } else if (trailer !== undefined) {
    const algorithm = algorithmOfHeader(trailer.trim());
    if (algorithm === undefined) throw invalidRequest(`The value specified in the x-amz-trailer header is not supported`);
    declared = { algorithm, value: undefined };
  }
  const hint = headers['x-amz-sdk-checksum-algorithm'];
  if (hint !== undefined) {
    const algorithm = CHECKSUM_ALGORITHMS.find((a) => a === hint.toUpperCase());
    if (algorithm === undefined) throw invalidRequest(`Value for x-amz-sdk-checksum-algorithm header is invalid.`);
    if (declared === undefined) {
      throw invalidRequest(`x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.`);
    }
    if (declared.algorithm !== algorithm) throw badDigest();
  }
  return declared;
}

export const md5Hex = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');
