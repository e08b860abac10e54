import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StepFunctionsEndpoint, listenStepFunctionsApi } from '../../../local/stepfunctions/api.js';
import type { AslDefinition } from '../../../local/stepfunctions/definitions.js';
import { LocalStepFunctions } from '../../../local/stepfunctions/service.js';

/**
 * The local Step Functions API spoken to by the real @aws-sdk/client-sfn (AWS JSON 1.0, SigV4),
 * as the orders API Lambda speaks to it through AWS_ENDPOINT_URL_SFN.
 */

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Saga`;
const EXPRESS_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Quick`;

const definition: AslDefinition = {
  StartAt: 'Step',
  States: {
    Step: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:Step`, 'Payload.$': '$' },
      OutputPath: '$.Payload',
      End: true,
    },
  },
};

const principal = (name: string, allows: (action: string, resource: string) => boolean) => ({
  accessKeyId: `AKIA${name.toUpperCase()}`,
  secretAccessKey: `secret-of-${name}`,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/fn`,
  allows,
});

const developer = principal('developer', () => true);
const starter = principal('starter', (action, resource) => action === 'states:StartExecution' && resource === MACHINE_ARN);

const clientFor = (endpoint: string, who: { accessKeyId: string; secretAccessKey: string }) =>
  new SFNClient({ endpoint, region: REGION, credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey } });

describe('given the local Step Functions API', () => {
  let endpoint: StepFunctionsEndpoint;
  let service: LocalStepFunctions;

  // The same definition as a Standard and as an Express machine.
  const machine = {
    definitionString: JSON.stringify(definition),
    definition,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/SagaRole`,
    roleLogicalId: 'SagaRole',
    loggingConfiguration: null,
    tracingEnabled: false,
  };

  beforeAll(async () => {
    endpoint = await listenStepFunctionsApi({
      port: 0,
      region: REGION,
      principal: (key) => [developer, starter].find((p) => p.accessKeyId === key),
    });
    service = new LocalStepFunctions({
      stateMachines: [
        { ...machine, logicalId: 'Saga', name: 'Saga', arn: MACHINE_ARN, type: 'STANDARD' },
        { ...machine, logicalId: 'Quick', name: 'Quick', arn: EXPRESS_ARN, type: 'EXPRESS' },
      ],
      region: REGION,
      accountId: ACCOUNT,
      invokeFunction: async (_name, payload) => ({ echoed: payload }),
    });
    endpoint.attach(service);
  });

  afterAll(async () => {
    await service.close();
    await endpoint.close();
  });

  it('when StartSyncExecution runs an Express machine, then the answer comes when it ends, with its output; a Standard one is refused', async () => {
    // As an AppSync HTTP data source on sync-states.<region>.amazonaws.com calls it (serverless-patterns' appsync-stepfunctions-express-cdk).
    const client = new SFNClient({ endpoint: endpoint.url, region: REGION, credentials: developer, disableHostPrefix: true });
    try {
      const ended = await client.send(new StartSyncExecutionCommand({ stateMachineArn: EXPRESS_ARN, input: '{"n":1}' }));
      expect(ended).toMatchObject({ status: 'SUCCEEDED', stateMachineArn: EXPRESS_ARN, input: '{"n":1}', output: JSON.stringify({ echoed: { n: 1 } }) });
      expect(ended.stopDate).toBeInstanceOf(Date);
      await expect(client.send(new StartSyncExecutionCommand({ stateMachineArn: MACHINE_ARN, input: '{}' }))).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
    } finally {
      client.destroy();
    }
  });

  it('when a function starts an execution through AWS_ENDPOINT_URL_SFN with a default client, then it runs and is described with dates', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SFN: endpoint.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: starter.accessKeyId,
      AWS_SECRET_ACCESS_KEY: starter.secretAccessKey,
    });
    let executionArn: string | undefined;
    try {
      const client = new SFNClient({});
      ({ executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'from-env', input: '{"orderId":"o-1"}' })));
      client.destroy();
    } finally {
      process.env = saved;
    }
    await service.waitForExecution(executionArn!);

    const described = await clientFor(endpoint.url, developer).send(new DescribeExecutionCommand({ executionArn }));

    expect(described).toMatchObject({ name: 'from-env', status: 'SUCCEEDED', output: JSON.stringify({ echoed: { orderId: 'o-1' } }) });
    expect(described.startDate).toBeInstanceOf(Date);
    expect(described.stopDate!.getTime()).toBeGreaterThanOrEqual(described.startDate!.getTime());
  });

  it('when the same name is started again after it closed, then the SDK raises ExecutionAlreadyExists', async () => {
    const client = clientFor(endpoint.url, developer);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'twice', input: '{}' }));
    await service.waitForExecution(executionArn!);

    await expect(client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'twice', input: '{}' }))).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
  });

  it('when an unknown execution is described, then the SDK raises ExecutionDoesNotExist', async () => {
    await expect(
      clientFor(endpoint.url, developer).send(new DescribeExecutionCommand({ executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:Saga:nope` })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('when the history is read without execution data, then events come with timestamps and without inputs and outputs', async () => {
    const client = clientFor(endpoint.url, developer);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, input: '{"secret":"x"}' }));
    await service.waitForExecution(executionArn!);

    const full = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    const bare = await client.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));

    expect(full.events?.[0]).toMatchObject({ type: 'ExecutionStarted', id: 1, executionStartedEventDetails: { input: '{"secret":"x"}' } });
    expect(full.events?.[0]?.timestamp).toBeInstanceOf(Date);
    expect(JSON.stringify(bare.events)).not.toContain('secret');
    expect(bare.events?.map((e) => e.type)).toEqual(full.events?.map((e) => e.type));
  });

  it('when a caller allowed only to start executions lists or describes them, then AccessDeniedException', async () => {
    const client = clientFor(endpoint.url, starter);
    await expect(client.send(new ListExecutionsCommand({ stateMachineArn: MACHINE_ARN }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('is not authorized to perform: states:ListExecutions'),
    });
  });

  it('when a request is signed with an unknown key or a wrong secret, then it is refused', async () => {
    const unknown = clientFor(endpoint.url, { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' });
    const forged = clientFor(endpoint.url, { accessKeyId: developer.accessKeyId, secretAccessKey: 'not-the-secret' });

    await expect(unknown.send(new ListExecutionsCommand({ stateMachineArn: MACHINE_ARN }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(forged.send(new ListExecutionsCommand({ stateMachineArn: MACHINE_ARN }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });
});
