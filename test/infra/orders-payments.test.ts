import { App } from 'aws-cdk-lib';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { ConfigurationRefusedError, SIMULATOR_IN_PROD_MESSAGE } from '../../infra/constructs/orders-payments.js';
import { TEST_ALARM_EMAIL, resourcesOf, synthesize, testProjectRoot } from './synth.js';

/** The orders' payment provider per stage: Stripe with its key in Secrets Manager in prod, never the simulator. */

const paying = (entry: string) => entry === 'resolvers/orders/handlers/process-payment.ts' || entry === 'resolvers/orders/handlers/refund-payment.ts' || entry === 'resolvers/orders/handlers/orders-api.ts';

describe('given the prod stage', () => {
  it('when it is built with the payment simulator, then it is refused with one line saying why', () => {
    const app = new App({ context: { [BUNDLING_STACKS]: [], stage: 'prod', alarmEmail: TEST_ALARM_EMAIL, stackName: 'ProdSimulator' } });

    let refused: unknown;
    try {
      buildApp(app, { projectRoot: testProjectRoot() });
    } catch (error) {
      refused = error;
    }

    expect(refused).toBeInstanceOf(ConfigurationRefusedError);
    expect((refused as Error).message).toBe(SIMULATOR_IN_PROD_MESSAGE);
    expect(SIMULATOR_IN_PROD_MESSAGE).not.toContain('\n');
  });

  it('when it is built with Stripe, then the paying functions get the secret\'s ARN (not its value) and may read only that secret', () => {
    const { template } = synthesize({ stage: 'prod', stackName: 'ProdStripe', paymentProvider: 'stripe' });
    const secrets = Object.entries(resourcesOf(template, 'AWS::SecretsManager::Secret'));
    const functions = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter((fn) => paying(String(fn.Metadata?.['local:entry'])));

    expect(secrets).toHaveLength(1);
    const [secretId, secret] = secrets[0]!;
    expect(secret.Properties?.['SecretString']).toBeUndefined();
    expect(functions).toHaveLength(3);
    for (const fn of functions) {
      const variables = (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(variables['PAYMENT_PROVIDER']).toBe('stripe');
      expect(variables['STRIPE_SECRET_ARN']).toEqual({ Ref: secretId });
      expect(variables['PAYMENTS_TABLE']).toBeUndefined();
    }
    const reads = JSON.stringify(template.toJSON()).match(/secretsmanager:GetSecretValue/g) ?? [];
    expect(reads).toHaveLength(3);
  });
});

describe('given the dev stage', () => {
  it('then the paying functions use the simulator and its ledger, and there is no secret', () => {
    const { template } = synthesize({ stackName: 'DevSimulator' });
    const functions = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter((fn) => paying(String(fn.Metadata?.['local:entry'])));

    expect(Object.keys(resourcesOf(template, 'AWS::SecretsManager::Secret'))).toHaveLength(0);
    expect(functions.map((fn) => (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables['PAYMENT_PROVIDER'])).toEqual(['simulator', 'simulator', 'simulator']);
  });
});
