/**
 * What topics and queues are called locally. The template's logical id is the name unless the
 * template gives one (as CloudFormation generates a name from the stack and logical id). Both
 * `local/wiring.ts` (Ref and GetAtt in functions' environments) and the messaging service use
 * these, so a function's STATUS_TOPIC_ARN is the topic the service knows.
 */
import type { CfnTemplate } from '../cdk/template.js';

export const LOCAL_ACCOUNT_ID = '123456789012';

const given = (template: CfnTemplate, logicalId: string, property: string): string => {
  const value = template.Resources[logicalId]?.Properties?.[property];
  return typeof value === 'string' && value !== '' ? value : logicalId;
};

export const topicName = (template: CfnTemplate, logicalId: string) => given(template, logicalId, 'TopicName');
export const queueName = (template: CfnTemplate, logicalId: string) => given(template, logicalId, 'QueueName');

export const topicArn = (region: string, name: string) => `arn:aws:sns:${region}:${LOCAL_ACCOUNT_ID}:${name}`;
export const queueArn = (region: string, name: string) => `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:${name}`;
/** SQS queue URLs are `<endpoint>/<account>/<name>`; the SDK sends requests to the URL's origin. */
export const queueUrl = (endpoint: string, name: string) => `${endpoint.replace(/\/$/, '')}/${LOCAL_ACCOUNT_ID}/${name}`;

/** Ref and Fn::GetAtt of topics and queues, or undefined for other resources. */
export function messagingValue(
  template: CfnTemplate,
  region: string,
  endpoint: string,
  logicalId: string,
  attribute: 'Ref' | string,
): string | undefined {
  const type = template.Resources[logicalId]?.Type;
  if (type === 'AWS::SNS::Topic') {
    const name = topicName(template, logicalId);
    if (attribute === 'Ref' || attribute === 'TopicArn') return topicArn(region, name);
    if (attribute === 'TopicName') return name;
  }
  if (type === 'AWS::SQS::Queue') {
    const name = queueName(template, logicalId);
    if (attribute === 'Ref' || attribute === 'QueueUrl') return queueUrl(endpoint, name);
    if (attribute === 'Arn') return queueArn(region, name);
    if (attribute === 'QueueName') return name;
  }
  return undefined;
}
