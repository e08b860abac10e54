import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';
import { ConfigurationRefusedError } from './constructs/orders-payments.js';

// Entry of `cdk.json`. Everything lives in build-app.ts so tests can build the stack without
// this side effect.
const app = new App();
try {
  buildApp(app);
} catch (error) {
  // A refused configuration is the operator's to fix: its one line, not a stack trace.
  if (!(error instanceof ConfigurationRefusedError)) throw error;
  console.error(error.message);
  process.exit(1);
}
app.synth();
