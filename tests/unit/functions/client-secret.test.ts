import { loadConfig } from '../../../src/config';
import { rateLimitKey } from '../../../src/functions/client-secret';

const config = loadConfig({
  TABLE_NAME: 't',
  NEW_SUBSCRIBER_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:new-subscriber',
  USER_TOPIC_PREFIX: 'fbs-test-u-',
  PUBLIC_BASE_URL: 'https://example.test/',
  SERVICE_NUMBER: '+12025550100',
  OAUTH_CLIENT_ID: 'client-id',
  OAUTH_CLIENT_SECRET_PARAMETER: '/fbs/test/oauth-client-secret',
});

describe('rateLimitKey', () => {
  it('derives one key per secret, and a new one once the secret read from SSM is rotated', async () => {
    const secrets = ['secret-1', 'secret-1', 'secret-2'];
    const read = jest.fn(async () => secrets.shift() as string);
    const key = rateLimitKey(config, read);

    const [first, again, rotated] = [await key(), await key(), await key()];

    expect(again).toBe(first);
    expect(rotated).not.toBe(first);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(read).toHaveBeenCalledTimes(3);
  });

  it('does not remember a failed read: the next call reads again', async () => {
    const read = jest
      .fn()
      .mockRejectedValueOnce(new Error('ThrottlingException'))
      .mockResolvedValue('secret-1');
    const key = rateLimitKey(config, read);

    await expect(key()).rejects.toThrow('ThrottlingException');

    expect(await key()).toBe(await rateLimitKey(config, 'secret-1')());
  });
});
