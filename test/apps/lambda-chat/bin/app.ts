import * as cdk from 'aws-cdk-lib';
import { ChatStack } from '../lib/chat-stack';

const app = new cdk.App();
new ChatStack(app, 'LambdaChatStack');
