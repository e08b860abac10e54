import { afterEach, describe, expect, it } from 'vitest';
import { PortInUseError, createDualServer, portInUseMessage } from '../../../local/http/dual-server.js';
import { createS3Gateway } from '../../../local/http/s3-gateway.js';
import { createMessaging } from '../../../local/messaging/index.js';
import { startDynamoDbLocal } from '../../../local/services/dynamodb.js';
import { listenStepFunctionsApi } from '../../../local/stepfunctions/api.js';
import { holdPort } from '../../support/ports.js';

describe('the message of a port in use', () => {
  it('given the flag that sets the port, when it is built, then it is one line naming the port, the service and how to move it', () => {
    const message = portInUseMessage(4576, { service: 'SQS and SNS', flag: '--sqs-port', env: 'SQS_PORT' });

    expect(message).toBe('Port 4576 (SQS and SNS) is already in use. Stop what holds it or choose another port with --sqs-port <port> or SQS_PORT=<port>.');
  });

  it('given a port no flag sets (chosen free at start), when it is built, then it says to start again', () => {
    expect(portInUseMessage(41234, { service: 'DynamoDB Local' })).toBe('Port 41234 (DynamoDB Local) is already in use. Stop what holds it and start again.');
  });

  it('given nothing known but the port, when the error is made, then its message is still one line naming the port', () => {
    const error = new PortInUseError(8083);

    expect(error.message).toBe('Port 8083 is already in use. Stop what holds it or choose another port.');
    expect(error.name).toBe('PortInUseError');
  });
});

describe('every listener the local stack opens, given its port is held', () => {
  let held: Awaited<ReturnType<typeof holdPort>>;
  afterEach(() => held.release());

  it('when the GraphQL server listens, then it rejects with PortInUseError for that port', async () => {
    held = await holdPort();
    const server = createDualServer({ key: '', cert: '' }, () => undefined, () => undefined);

    await expect(server.listen(held.port, '127.0.0.1')).rejects.toEqual(new PortInUseError(held.port, { service: 'GraphQL' }));
  });

  it('when the S3 gateway listens, then it rejects with PortInUseError naming the service', async () => {
    held = await holdPort();
    const gateway = createS3Gateway({ handle: () => undefined });

    await expect(gateway.listen(held.port)).rejects.toEqual(new PortInUseError(held.port, { service: 'S3' }));
  });

  it('when the SQS and SNS endpoint listens, then it rejects with PortInUseError naming the service, not a raw EADDRINUSE', async () => {
    held = await holdPort();

    const started = createMessaging({ template: { Resources: {} }, region: 'us-east-1', port: held.port, principals: [], log: () => undefined });

    await expect(started).rejects.toEqual(new PortInUseError(held.port, { service: 'SQS and SNS' }));
  });

  it('when the Step Functions API listens, then it rejects with PortInUseError naming the service', async () => {
    held = await holdPort();

    const started = listenStepFunctionsApi({ port: held.port, region: 'us-east-1', principal: () => undefined });

    await expect(started).rejects.toEqual(new PortInUseError(held.port, { service: 'Step Functions' }));
  });

  it('when DynamoDB Local (a JVM) is started on it, then it rejects with PortInUseError, not the JVM stack trace', async () => {
    held = await holdPort();

    const started = startDynamoDbLocal({ port: held.port });

    await expect(started).rejects.toEqual(new PortInUseError(held.port, { service: 'DynamoDB Local' }));
  });
});
