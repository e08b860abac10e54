import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The repository root, found from this file's location so that synthesis does not depend on
 * the current working directory (the CDK CLI, tsx and vitest all start from different places).
 */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** An absolute path for a repo-relative POSIX path such as `schema/schema.graphql`. */
export function repoPath(relative: string): string {
  return path.join(REPO_ROOT, ...relative.split('/'));
}

/** A repo-relative path in POSIX form, whatever the host's separator. */
export function toPosixRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/');
}
