import type { PolicyStatement } from './topology.js';

/**
 * IAM policy evaluation for what the local stack authorizes by policy: a role's statements,
 * with intrinsics already resolved, decide whether an action on a resource is allowed. An
 * explicit Deny wins; otherwise some Allow must match; wildcards `*` and `?` as in IAM.
 */

const globCache = new Map<string, RegExp>();

function glob(pattern: string): RegExp {
  let regex = globCache.get(pattern);
  if (!regex) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    regex = new RegExp(`^${body}$`, 'i');
    globCache.set(pattern, regex);
  }
  return regex;
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);

export function isAllowed(statements: readonly PolicyStatement[], action: string, resource: string): boolean {
  const matching = statements.filter(
    (s) =>
      list(s.Action).some((a) => glob(a).test(action)) &&
      list(s.Resource).some((r) => {
        // Resource ARNs match case-sensitively, actions do not.
        return new RegExp(glob(r).source).test(resource);
      }),
  );
  if (matching.some((s) => s.Effect === 'Deny')) return false;
  return matching.some((s) => s.Effect === 'Allow');
}
