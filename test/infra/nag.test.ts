import { App, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { acknowledge, acknowledgements, nagFindings } from '../../infra/nag/index.js';
import { STAGES } from '../../infra/stage.js';
import { synthesize, testProjectRoot } from './synth.js';

describe.each(STAGES)('given the %s stage synthesized with cdk-nag\'s AwsSolutions and Serverless packs', (stage) => {
  let stack: Stack;

  beforeAll(() => {
    ({ stack } = synthesize({ stage }));
  }, 120_000);

  it('then there is no unacknowledged finding, error or warning', () => {
    const findings = nagFindings(stack).map((finding) => `${finding.severity} ${finding.rule} at ${finding.path}: ${finding.description}`);
    expect(findings).toEqual([]);
  });

  it('then every acknowledgement is on a resource (never the stack or app) and says why', () => {
    const all = acknowledgements(stack.node.root);
    expect(all.length).toBeGreaterThan(0);
    for (const { path, rule, reason } of all) {
      expect(path, rule).toMatch(new RegExp(`^${stack.stackName}/.+`));
      expect(reason.trim().length, `${rule} at ${path}`).toBeGreaterThanOrEqual(30);
    }
  });
});

describe('given the packs registered as validation plugins (context nag=true, as cdk.json sets it)', () => {
  it('when a resource breaks a rule, then synthesis fails and names the rule', { timeout: 120_000 }, () => {
    const app = new App({ context: { [BUNDLING_STACKS]: [], nag: true } });
    const stack = buildApp(app, { projectRoot: testProjectRoot() });
    new Role(stack, 'Careless', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Action::s3:\*\]/);
  });
});

describe('given an acknowledgement', () => {
  it('when it is put on a stack, then it is refused: it belongs next to the resource', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => acknowledge(stack, 'AwsSolutions-S1', 'a long enough reason that still lands on the stack')).toThrow(/resource/);
  });

  it('when its reason is too short to say why, then it is refused', () => {
    const role = new Role(new Stack(new App(), 'S'), 'R', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    expect(() => acknowledge(role, 'AwsSolutions-IAM4', 'not needed')).toThrow(/reason/);
  });
});
