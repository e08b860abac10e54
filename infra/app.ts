import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';

// Entry of `cdk.json`. Everything lives in build-app.ts so tests can build the stack without
// this side effect.
const app = new App();
buildApp(app);
app.synth();
