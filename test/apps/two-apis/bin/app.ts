import * as cdk from 'aws-cdk-lib';
import { TwoApisStack } from '../lib/two-apis-stack';

const app = new cdk.App();
new TwoApisStack(app, 'TwoApisStack');
