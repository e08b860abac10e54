import { Stack, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks, type NagPack } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag, the way this project runs it: the AwsSolutions and Serverless packs, every finding
 * fails synthesis (errors and warnings alike), and a finding is only ever acknowledged on the
 * resource it is about, with the reason next to it.
 */

export function nagPacks(scope?: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(scope), new ServerlessChecks(scope)];
}

/** Registers the packs as validation plugins: `cdk synth` / `cdk deploy` fail on any finding. */
export function addNagPlugins(app: App): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
  readonly description: string;
}

/** The unacknowledged findings of both packs in `scope` (synthesize first: aspects must have run). */
export function nagFindings(scope: IConstruct): NagFinding[] {
  return nagPacks().flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        severity: violation.severity ?? 'error',
        path: resource.constructPath ?? '?',
        description: violation.description,
      })),
    ),
  );
}

/** The shortest reason that says why; "not needed" is not one. */
const MIN_REASON_LENGTH = 30;

/**
 * Acknowledges one rule (or one finding of it: `AwsSolutions-IAM5[Resource::...]`) on `scope`,
 * the resource it is about or the construct that owns it. Never call it on a stack or the app.
 */
export function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  if (Stack.isStack(scope) || scope.node.scope === undefined) {
    throw new Error(`acknowledge ${rule} on the resource it is about, not on ${scope.node.path || 'the app'}`);
  }
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`acknowledging ${rule} on ${scope.node.path} needs a reason that says why, got "${reason}"`);
  }
  Validations.of(scope).acknowledge({ id: rule, reason });
}

/** The id of the IAM5 finding about one wildcard resource, as cdk-nag names it. */
export function wildcardResourceFinding(scope: IConstruct, resource: unknown): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}

/** The id of the IAM5 finding about one wildcard action. */
export function wildcardActionFinding(action: string): string {
  return `AwsSolutions-IAM5[Action::${action}]`;
}

export interface Acknowledgement {
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

/** Every acknowledgement recorded in `scope`'s tree, where it was recorded. */
export function acknowledgements(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([rule, reason]) => ({
          path: construct.node.path,
          rule: rule.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}
