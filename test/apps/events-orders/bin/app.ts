import * as cdk from 'aws-cdk-lib';
import { OrdersEventsStack } from '../lib/orders-events-stack';

new OrdersEventsStack(new cdk.App(), 'OrdersEventsStack');
