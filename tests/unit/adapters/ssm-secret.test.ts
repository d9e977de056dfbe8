import { GetParameterCommand, ParameterNotFound, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ssmSecret } from '../../../src/adapters/ssm-secret';

const ssm = mockClient(SSMClient);
const NAME = '/fbs/test/oauth-client-secret';
const MAX_AGE_SECONDS = 900;

beforeEach(() => {
  ssm.reset();
  // Only the clock is faked: the cache's age is read from Date.
  jest.useFakeTimers({ now: Date.parse('2026-03-01T12:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
});

afterEach(() => {
  jest.useRealTimers();
});

const secret = () => ssmSecret(new SSMClient({ region: 'us-east-1' }), NAME, MAX_AGE_SECONDS);

describe('ssmSecret', () => {
  it('reads the decrypted parameter once, however often and concurrently it is asked within its age', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Value: 'test-secret-1' } });
    const get = secret();

    const concurrent = await Promise.all([get(), get(), get()]);
    jest.setSystemTime(Date.now() + (MAX_AGE_SECONDS - 1) * 1000);
    const later = await get();

    expect(concurrent).toEqual(['test-secret-1', 'test-secret-1', 'test-secret-1']);
    expect(later).toBe('test-secret-1');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: NAME, WithDecryption: true });
  });

  it('reads it again once the age has passed, so a rotated secret reaches a warm container', async () => {
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Name: NAME, Value: 'test-secret-1' } })
      .resolves({ Parameter: { Name: NAME, Value: 'test-secret-2' } });
    const get = secret();

    const first = await get();
    jest.setSystemTime(Date.now() + (MAX_AGE_SECONDS + 1) * 1000);
    const rotated = await get();

    expect([first, rotated]).toEqual(['test-secret-1', 'test-secret-2']);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('reads it afresh when asked, and keeps the fresh value for the later calls', async () => {
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Name: NAME, Value: 'test-secret-1' } })
      .resolves({ Parameter: { Name: NAME, Value: 'test-secret-2' } });
    const get = secret();

    const first = await get();
    const fresh = await get({ fresh: true });
    const after = await get();

    expect([first, fresh, after]).toEqual(['test-secret-1', 'test-secret-2', 'test-secret-2']);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('does not cache a failed read: the next call tries again', async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(new Error('ThrottlingException'))
      .resolves({ Parameter: { Name: NAME, Value: 'test-secret-1' } });
    const get = secret();

    await expect(get()).rejects.toThrow('ThrottlingException');
    const retry = await get();

    expect(retry).toBe('test-secret-1');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('fails on an empty parameter, naming it, and does not cache that either', async () => {
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Name: NAME, Value: '' } })
      .resolves({ Parameter: { Name: NAME, Value: 'test-secret-1' } });
    const get = secret();

    await expect(get()).rejects.toThrow(`SSM parameter ${NAME} is empty`);
    expect(await get()).toBe('test-secret-1');
  });

  it('names the parameter and the reason when it is missing even with an empty message', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata: {} }));

    await expect(secret()()).rejects.toThrow(`SSM parameter ${NAME} could not be read: ParameterNotFound`);
  });

  it('passes on the refusal when the role may not read it', async () => {
    const denied = new SSMServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: `User: arn:aws:sts::123456789012:assumed-role/r/f is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:123456789012:parameter${NAME}`,
    });
    ssm.on(GetParameterCommand).rejects(denied);

    const error = (await secret()().then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;

    expect(error.message).toBe(
      `SSM parameter ${NAME} could not be read: AccessDeniedException (${denied.message})`,
    );
    expect(error.name).toBe('GetParameterError');
  });
});
