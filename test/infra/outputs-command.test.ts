import { describe, expect, it } from 'vitest';
import { amplifyOutputsFromStack, chooseStack, OutputsError, stackOutputs } from '../../scripts/outputs.js';

const outputs = {
  GraphQLUrl: 'https://abc.appsync-api.eu-west-1.amazonaws.com/graphql',
  ApiKey: 'da2-abcdefghijklmnopqrstuvwxyz',
  UserPoolId: 'eu-west-1_AbCdEfGhI',
  UserPoolClientId: '1example23456789',
  Region: 'eu-west-1',
  AuthorizationModes: 'AMAZON_COGNITO_USER_POOLS,API_KEY,AWS_IAM',
  AlarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
};

describe('given the outputs of a deployed stack', () => {
  it('when they come from `cdk deploy --outputs-file`, then amplify_outputs.json has the API, the pool and the modes', () => {
    const config = amplifyOutputsFromStack(chooseStack(stackOutputs({ AppsyncLambdaStack: outputs }), undefined));
    expect(config).toEqual({
      version: '1.4',
      auth: expect.objectContaining({ aws_region: 'eu-west-1', user_pool_id: 'eu-west-1_AbCdEfGhI', user_pool_client_id: '1example23456789' }),
      data: {
        aws_region: 'eu-west-1',
        url: outputs.GraphQLUrl,
        api_key: outputs.ApiKey,
        default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
        authorization_types: ['API_KEY', 'AWS_IAM'],
      },
    });
  });

  it('when they come from `aws cloudformation describe-stacks`, then the result is the same', () => {
    const described = {
      Stacks: [{ StackName: 'AppsyncLambdaStack', Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
    };
    expect(amplifyOutputsFromStack(chooseStack(stackOutputs(described), 'AppsyncLambdaStack'))).toEqual(
      amplifyOutputsFromStack(outputs),
    );
  });

  it('when the file holds several stacks and none is named, then it asks for --stack and lists them', () => {
    expect(() => chooseStack(stackOutputs({ Dev: outputs, Prod: outputs }), undefined)).toThrow(/--stack.*Dev, Prod|Dev, Prod.*--stack/);
  });

  it('when the stack predates the AuthorizationModes output, then it says to deploy the current version', () => {
    const { AuthorizationModes: _omitted, ...old } = outputs;
    expect(() => amplifyOutputsFromStack(old)).toThrow(OutputsError);
    expect(() => amplifyOutputsFromStack(old)).toThrow(/AuthorizationModes.*deploy/);
  });
});
