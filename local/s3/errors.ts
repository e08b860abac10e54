/**
 * S3's errors, as named classes: every failure the local S3 answers is one of these, and
 * `errorResponse` (xml.ts) is the one place that turns it into S3's XML error body.
 * Codes, statuses and messages: /work/shared/reference/s3-behaviour.md ([ERR]).
 */
export class S3Error extends Error {
  override readonly name = 'S3Error';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra elements of the error body (`<Key>`, `<VersionId>`, ...). */
    readonly details: Readonly<Record<string, string>> = {},
    /** Extra response headers (`x-amz-delete-marker`, `last-modified`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const accessDenied = (message = 'Access Denied') => new S3Error('AccessDenied', 403, message);
export const signatureDoesNotMatch = () =>
  new S3Error(
    'SignatureDoesNotMatch',
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );
export const invalidAccessKeyId = () =>
  new S3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.');
export const missingAuthentication = () => new S3Error('AccessDenied', 403, 'Access Denied');
export const noSuchBucket = (bucket: string) =>
  new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
export const noSuchKey = (key: string, headers: Record<string, string> = {}) =>
  new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key }, headers);
export const noSuchVersion = (key: string, versionId: string) =>
  new S3Error('NoSuchVersion', 404, 'The specified version does not exist.', { Key: key, VersionId: versionId });
export const noSuchUpload = (uploadId: string) =>
  new S3Error(
    'NoSuchUpload',
    404,
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );
export const preconditionFailed = (condition: string) =>
  new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: condition });
export const invalidArgument = (message: string, name?: string, value?: string) =>
  new S3Error('InvalidArgument', 400, message, name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' });
export const invalidRequest = (message: string) => new S3Error('InvalidRequest', 400, message);
export const badDigest = () =>
  new S3Error('BadDigest', 400, 'The Content-MD5 or checksum value that you specified did not match what the server received.');
export const invalidDigest = () => new S3Error('InvalidDigest', 400, 'The Content-MD5 or checksum value that you specified is not valid.');
export const contentShaMismatch = (claimed: string, computed: string) =>
  new S3Error('XAmzContentSHA256Mismatch', 400, 'The provided \'x-amz-content-sha256\' header does not match what was computed.', {
    ClientComputedContentSHA256: claimed,
    S3ComputedContentSHA256: computed,
  });
export const incompleteBody = () =>
  new S3Error('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
export const malformedXml = () =>
  new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema.');
export const invalidRange = (size: number) =>
  new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', { ActualObjectSize: String(size) });
export const methodNotAllowed = (headers: Record<string, string> = {}) =>
  new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', {}, headers);
export const notImplemented = (what: string) =>
  new S3Error('NotImplemented', 501, `A header or query you provided implies functionality that is not implemented: ${what}`);
export const invalidPart = () =>
  new S3Error(
    'InvalidPart',
    400,
    "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.",
  );
export const invalidPartOrder = () =>
  new S3Error('InvalidPartOrder', 400, 'The list of parts was not in ascending order. Parts must be ordered by part number.');
export const entityTooSmall = () =>
  new S3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed object size.');
export const noSuchCorsConfiguration = (bucket: string) =>
  new S3Error('NoSuchCORSConfiguration', 404, 'The CORS configuration does not exist', { BucketName: bucket });
