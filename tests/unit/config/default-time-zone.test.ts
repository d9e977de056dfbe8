/** DEFAULT_TIME_ZONE: the zone quiet hours use when Google's settings have none, checked at cold start. */
import { loadConfig } from '../../../src/config';

const base = {
  TABLE_NAME: 'fbs-test',
  NEW_SUBSCRIBER_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:new-subscriber',
  USER_TOPIC_PREFIX: 'fbs-test-',
  PUBLIC_BASE_URL: 'https://signup.example.test/',
  SERVICE_NUMBER: '+12025550100',
  OAUTH_CLIENT_ID: 'client',
  OAUTH_CLIENT_SECRET: 'not-a-real-secret',
};

describe('DEFAULT_TIME_ZONE', () => {
  it('takes any IANA zone, 45-minute offsets included', () => {
    expect(loadConfig({ ...base, DEFAULT_TIME_ZONE: 'Pacific/Chatham' }).DEFAULT_TIME_ZONE).toBe(
      'Pacific/Chatham',
    );
  });

  it('defaults to America/New_York, as the serverless.yml param does', () => {
    expect(loadConfig(base).DEFAULT_TIME_ZONE).toBe('America/New_York');
  });

  it.each([['Mars/Olympus_Mons'], [''], ['x'.repeat(65)]])(
    'fails at cold start naming the variable for %p',
    (zone) => {
      expect(() => loadConfig({ ...base, DEFAULT_TIME_ZONE: zone })).toThrow(/DEFAULT_TIME_ZONE/);
    },
  );
});
