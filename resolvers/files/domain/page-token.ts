/**
 * `files(nextToken)`, in the one token format (resolvers/shared/page-token.ts): the key of the
 * last file of the previous page. A token that does not decode to such a key, or whose owner is
 * not the caller, is a ValidationError (a token is never a way to read someone else's listing).
 */
import { decodePageToken, encodePageToken, stringKey } from '../../shared/page-token.js';
import type { FileListKey } from './model.js';

const LISTING = 'files';

export const encodeFilesToken = (key: FileListKey): string => encodePageToken(LISTING, { id: key.id, owner: key.owner, createdAt: key.createdAt });

export function decodeFilesToken(token: string, caller: string): FileListKey {
  return decodePageToken(token, LISTING, (after) => {
    const key = stringKey(after, ['id', 'owner', 'createdAt']);
    return key !== null && key.owner === caller && !Number.isNaN(Date.parse(key.createdAt)) ? key : null;
  });
}
