import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ssmSecret } from '../../../src/adapters/ssm-secret';

const ssm = mockClient(SSMClient);
const NAME = '/fbs/test/oauth-client-secret';

beforeEach(() => {
  ssm.reset();
});

const secret = () => ssmSecret(new SSMClient({ region: 'us-east-1' }), NAME);

describe('ssmSecret', () => {
  it('reads the decrypted parameter once, however often and concurrently it is asked', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Value: 'test-secret-1' } });
    const get = secret();

    const concurrent = await Promise.all([get(), get(), get()]);
    const later = await get();

    expect(concurrent).toEqual(['test-secret-1', 'test-secret-1', 'test-secret-1']);
    expect(later).toBe('test-secret-1');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: NAME, WithDecryption: true });
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

    await expect(get()).rejects.toThrow(NAME);
    expect(await get()).toBe('test-secret-1');
  });
});
