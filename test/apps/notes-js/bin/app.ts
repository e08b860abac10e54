#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { NotesStack } from '../lib/notes-stack';

const app = new cdk.App();
new NotesStack(app, 'NotesJsStack');
