import * as cdk from 'aws-cdk-lib';
import { HttpL1Stack } from '../lib/http-l1-stack';

new HttpL1Stack(new cdk.App(), 'HttpL1Stack', { endpoint: process.env.HTTP_ENDPOINT ?? 'https://books.example.com' });
