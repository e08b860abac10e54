import * as cdk from 'aws-cdk-lib';
import { ItemsStack } from '../lib/items-stack';

const app = new cdk.App();
new ItemsStack(app, 'VtlItemsStack');
