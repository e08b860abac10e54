import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { buildApp } from '../../infra/build-app.js';
import { FILE_CHANGES_API_ENTRY, FILES_API_ENTRY } from '../../infra/constructs/graphql-api.js';
import { PROCESS_UPLOAD_ENTRY } from '../../infra/constructs/upload-pipeline.js';
import { REPO_ROOT, repoPath } from '../../infra/paths.js';
import type { AppSyncLambdaStack } from '../../infra/stack.js';

export const HANDLER_ENTRIES = [FILES_API_ENTRY, FILE_CHANGES_API_ENTRY, PROCESS_UPLOAD_ENTRY] as const;

/** Whether the real handler entries exist in the repository. */
export function realEntriesExist(): boolean {
  return HANDLER_ENTRIES.every((entry) => existsSync(repoPath(entry)));
}

/**
 * The project root the stack's functions are built from: the repository when the handler
 * entries exist, otherwise a temporary copy of the package files with stub entries (synthesis
 * needs the entry files to exist even when bundling is skipped).
 */
export function testProjectRoot(): string {
  if (realEntriesExist()) {
    return REPO_ROOT;
  }
  const root = mkdtempSync(path.join(tmpdir(), 'infra-test-'));
  for (const file of ['package.json', 'package-lock.json']) {
    copyFileSync(repoPath(file), path.join(root, file));
  }
  for (const entry of HANDLER_ENTRIES) {
    const file = path.join(root, ...entry.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'export const handler = async (): Promise<null> => null;\n');
  }
  return root;
}

export interface Synthesized {
  readonly stack: AppSyncLambdaStack;
  readonly template: Template;
}

/** The alarm target tests give prod, which refuses to build without one (ProductionPosture). */
export const TEST_ALARM_EMAIL = 'oncall@example.com';

/**
 * Builds the app as `infra/app.ts` does, with Lambda bundling skipped, and synthesizes it. prod
 * gets `TEST_ALARM_EMAIL` as its alarm target unless the context names one, as an operator's
 * prod synth must.
 */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  // prod refuses the payment simulator: its tests build it with Stripe (orders-payments.ts).
  const alarmTarget = context['stage'] === 'prod' ? { alarmEmail: TEST_ALARM_EMAIL, paymentProvider: 'stripe' } : {};
  const app = new App({ context: { [BUNDLING_STACKS]: [], ...alarmTarget, ...context } });
  const stack = buildApp(app, { projectRoot: testProjectRoot() });
  return { stack, template: Template.fromStack(stack) };
}

/** The template's resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; DeletionPolicy?: string }> {
  return template.findResources(type) as Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; DeletionPolicy?: string }>;
}

/** Every statement of every identity policy (AWS::IAM::Policy, inline role policies, managed policies). */
export function identityStatements(template: Template): { policy: string; Effect: string; Action: unknown; Resource: unknown }[] {
  const out: { policy: string; Effect: string; Action: unknown; Resource: unknown }[] = [];
  const add = (policy: string, document: unknown) => {
    const raw = (document as { Statement?: unknown } | undefined)?.Statement;
    for (const statement of (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Record<string, unknown>[]) {
      out.push({ policy, Effect: String(statement['Effect']), Action: statement['Action'], Resource: statement['Resource'] });
    }
  };
  for (const [id, resource] of Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))) add(id, resource.Properties?.['PolicyDocument']);
  for (const [id, resource] of Object.entries(resourcesOf(template, 'AWS::IAM::ManagedPolicy'))) add(id, resource.Properties?.['PolicyDocument']);
  for (const [id, resource] of Object.entries(resourcesOf(template, 'AWS::IAM::Role'))) {
    for (const policy of (resource.Properties?.['Policies'] ?? []) as { PolicyDocument: unknown }[]) add(id, policy.PolicyDocument);
  }
  return out;
}

export function asList<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
