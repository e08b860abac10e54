/**
 * Open-file limits for the fan-out at scale: every subscriber is a socket in the harness (and
 * one in the server, a child with the same limits). Node raises its soft limit to the hard one
 * when it starts, so the hard limit is what bounds a run; only root (or the service manager's
 * LimitNOFILE) can raise that, so the harness checks it and says so rather than fail mid-run.
 */
import { readFileSync } from 'node:fs';

export interface FileLimits {
  readonly soft: number;
  readonly hard: number;
}

/** The "Max open files" line of /proc/<pid>/limits. */
export function parseFileLimits(limits: string): FileLimits {
  const line = limits.split('\n').find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line?.slice('Max open files'.length).trim().split(/\s+/) ?? []).map((v) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v)));
  return { soft: soft ?? Number.NaN, hard: hard ?? Number.NaN };
}

export const fileLimits = (): FileLimits => parseFileLimits(readFileSync('/proc/self/limits', 'utf8'));

/** Why `needed` open files cannot be had in this process, or undefined when they can. */
export function openFilesShortfall(limits: FileLimits, needed: number): string | undefined {
  if (!(limits.soft < needed)) return undefined;
  return (
    `this process may open ${limits.soft} files and the run needs ${needed}: Node raises its soft limit to the hard limit (${limits.hard}) at start, ` +
    `so raise the hard limit (as root: \`ulimit -Hn ${needed * 2}\` in the shell that runs the bench, or LimitNOFILE for a service) or run fewer subscribers`
  );
}
