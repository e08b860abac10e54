/**
 * Who may call the local S3: the credentials the stack issued (each function's role, the
 * developer), and what each may do, by the role's statements in the template, as
 * `iamAuthorizer` checks `appsync:GraphQL`. No built-in or anonymous keys.
 */
import type { SigningCredential } from '../auth/sigv4.js';
import { isAllowed } from '../cdk/iam-policy.js';
import { type LocalValues, resolveIntrinsics } from '../cdk/template.js';
import type { Topology } from '../cdk/topology.js';
import type { IamPrincipal } from '../wiring.js';

export interface S3Principal extends SigningCredential {
  /** `userIdentity.principalId` of the events this caller causes. */
  readonly principalId: string;
  /** Whether the caller's policy allows `action` (`s3:GetObject`) on `resource` (an S3 ARN). */
  allows(action: string, resource: string): boolean;
}

export type S3PrincipalLookup = (accessKeyId: string) => S3Principal | undefined;

export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;

/**
 * The principals of the stack. `fullAccess` (the developer) may do anything, as an
 * administrator may; a function may do what its role's statements allow, and a function
 * without a role nothing.
 */
export function s3Principals(
  principals: readonly IamPrincipal[],
  roles: Topology['roles'],
  values: LocalValues,
  fullAccess: IamPrincipal | undefined,
): S3PrincipalLookup {
  const statementsOf = new Map(
    [...roles.values()].map((role) => [
      role.logicalId,
      role.statements.map((s) => ({ ...s, Resource: resolveIntrinsics(s.Resource, values) })),
    ]),
  );
  const byKey = new Map<string, S3Principal>();
  for (const principal of principals) {
    const statements = principal.roleLogicalId === undefined ? [] : (statementsOf.get(principal.roleLogicalId) ?? []);
    const unrestricted = principal === fullAccess;
    byKey.set(principal.accessKeyId, {
      accessKeyId: principal.accessKeyId,
      secretAccessKey: principal.secretAccessKey,
      principalId: `AWS:${principal.identity.username}`,
      allows: (action, resource) => unrestricted || isAllowed(statements, action, resource),
    });
  }
  return (accessKeyId) => byKey.get(accessKeyId);
}

/** A caller allowed everything: the integration tests' and a tool's own store. */
export const unrestrictedPrincipal = (credential: SigningCredential, principalId = 'AWS:LOCAL'): S3Principal => ({
  accessKeyId: credential.accessKeyId,
  secretAccessKey: credential.secretAccessKey,
  principalId,
  allows: () => true,
});
