import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { LambdaCheckDispatcher } from '../../../src/adapters/lambda-check-dispatcher';

const lambda = mockClient(LambdaClient);
const FUNCTION = 'fbs-test-checkBatteries';

beforeEach(() => {
  lambda.reset();
});

const dispatcher = () => new LambdaCheckDispatcher(new LambdaClient({ region: 'us-east-1' }), FUNCTION);
const payload = (value: unknown) =>
  new TextEncoder().encode(
    typeof value === 'string' ? value : JSON.stringify(value),
  ) as InvokeCommandOutput['Payload'];

describe('LambdaCheckDispatcher', () => {
  it('invokes the checker synchronously with the ids and force flag, and returns its summary', async () => {
    const summary = { checked: 3, texted: 1, deferred: 1, failed: 0, skipped: 2 };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(summary) });

    const result = await dispatcher().check(['google#U1', 'google#U2'], true);

    expect(result).toEqual(summary);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe(FUNCTION);
    expect(input?.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      subscriberIds: ['google#U1', 'google#U2'],
      force: true,
    });
  });

  it('throws when the checker itself failed', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({ errorType: 'Error', errorMessage: 'boom' }),
    });

    await expect(dispatcher().check(['google#U1'], false)).rejects.toThrow(/checker failed: Unhandled/);
  });

  it('passes invocation errors through', async () => {
    lambda.on(InvokeCommand).rejects(new Error('TooManyRequestsException'));

    await expect(dispatcher().check(['google#U1'], false)).rejects.toThrow('TooManyRequestsException');
  });

  it('reads missing or non-numeric summary fields as 0', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: payload('{"checked":"3","texted":null,"deferred":2,"failed":1e999,"extra":7}'),
    });

    const result = await dispatcher().check(['google#U1'], false);

    expect(result).toEqual({ checked: 0, texted: 0, deferred: 2, failed: 0, skipped: 0 });
  });

  it('throws on a payload that is not JSON', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('<html>') });

    await expect(dispatcher().check(['google#U1'], false)).rejects.toThrow();
  });
});
