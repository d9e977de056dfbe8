/**
 * Wiring: which adapter serves which port. Runs once per Lambda container at module scope, so SDK
 * clients and their connections are reused across invocations; tests build their own Deps instead.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoSubscriberStore } from './adapters/dynamo-subscriber-store';
import { FitbitProvider, fitbitErrorCode } from './adapters/fitbit-provider';
import { GoogleHealthProvider, googleErrorCode } from './adapters/google-health-provider';
import { LambdaCheckDispatcher } from './adapters/lambda-check-dispatcher';
import { createLogger } from './adapters/logger';
import { OAuthClient } from './adapters/oauth-client';
import { SmsSender } from './adapters/sms-sender';
import { SnsEventPublisher, SnsTopics } from './adapters/sns-messenger';
import { ssmSecret } from './adapters/ssm-secret';
import { type Config, loadConfig, redirectUri, signupUrl } from './config';
import type { CheckDispatcher, HealthProvider } from './ports';
import type { Deps } from './usecases/deps';

/** The OAuth client secret: from SSM (cached per container) on AWS, from the environment locally. */
function clientSecret(config: Config): string | (() => Promise<string>) {
  if (config.OAUTH_CLIENT_SECRET) return config.OAUTH_CLIENT_SECRET;
  const ssm = new SSMClient({ region: config.AWS_REGION });
  return ssmSecret(ssm, config.OAUTH_CLIENT_SECRET_PARAMETER as string);
}

export function buildProvider(config: Config): HealthProvider {
  const timeoutMs = config.PROVIDER_TIMEOUT_MS;
  const secret = clientSecret(config);
  if (config.PROVIDER === 'fitbit') {
    const oauth = new OAuthClient({
      authorizationEndpoint: config.FITBIT_AUTH_URL,
      tokenEndpoint: config.FITBIT_TOKEN_URL,
      revocationEndpoint: config.FITBIT_REVOKE_URL,
      clientId: config.OAUTH_CLIENT_ID,
      clientSecret: secret,
      clientAuth: 'basic',
      timeoutMs,
      errorCode: fitbitErrorCode,
    });
    return new FitbitProvider({
      oauth,
      authorizationEndpoint: config.FITBIT_AUTH_URL,
      apiBaseUrl: config.FITBIT_API_URL,
      timeoutMs,
    });
  }
  const oauth = new OAuthClient({
    authorizationEndpoint: config.GOOGLE_AUTH_URL,
    tokenEndpoint: config.GOOGLE_TOKEN_URL,
    revocationEndpoint: config.GOOGLE_REVOKE_URL,
    clientId: config.OAUTH_CLIENT_ID,
    clientSecret: secret,
    clientAuth: 'post',
    timeoutMs,
    errorCode: googleErrorCode,
  });
  return new GoogleHealthProvider({
    oauth,
    authorizationEndpoint: config.GOOGLE_AUTH_URL,
    apiBaseUrl: config.HEALTH_API_URL,
    timeoutMs,
  });
}

export function buildDeps(config: Config): Deps {
  const region = config.AWS_REGION;
  const endpoint = (url?: string) => (url ? { endpoint: url } : {});
  const dynamo = new DynamoDBClient({ region, ...endpoint(config.DYNAMODB_ENDPOINT) });
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const sns = new SNSClient({ region, ...endpoint(config.SNS_ENDPOINT) });
  const sms = new PinpointSMSVoiceV2Client({ region, ...endpoint(config.SMS_ENDPOINT) });
  const topics = new SnsTopics(sns);
  const sender = new SmsSender(sms, config.SERVICE_NUMBER);
  return {
    store: new DynamoSubscriberStore(doc, config.TABLE_NAME),
    provider: buildProvider(config),
    messenger: {
      ensureTopic: (name) => topics.ensureTopic(name),
      subscribeSms: (arn, phone) => topics.subscribeSms(arn, phone),
      unsubscribe: (arn) => topics.unsubscribe(arn),
      deleteTopic: (arn) => topics.deleteTopic(arn),
      isOptedOut: (phone) => topics.isOptedOut(phone),
      // SNS (alerts) and End User Messaging (replies) each keep an opt-out list.
      optIn: async (phone) => {
        await Promise.all([topics.optIn(phone), sender.optIn(phone)]);
      },
      publish: (arn, text) => topics.publish(arn, text),
      sendText: (to, text, from) => sender.sendText(to, text, from),
    },
    events: new SnsEventPublisher(sns, config.NEW_SUBSCRIBER_TOPIC_ARN),
    clock: { now: () => Date.now() },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    logger: createLogger(config.SERVICE),
    settings: {
      defaultCountry: config.DEFAULT_COUNTRY,
      redirectUri: redirectUri(config),
      signupUrl: signupUrl(config),
      userTopicPrefix: config.USER_TOPIC_PREFIX,
      maxConfirmationsPerDay: 3,
    },
  };
}

export function buildDispatcher(config: Config): CheckDispatcher {
  const lambda = new LambdaClient({
    region: config.AWS_REGION,
    ...(config.LAMBDA_ENDPOINT ? { endpoint: config.LAMBDA_ENDPOINT } : {}),
    // A checker batch may take a while; the SDK's default socket timeout is not the limit we want.
    maxAttempts: 1,
  });
  return new LambdaCheckDispatcher(lambda, config.CHECKER_FUNCTION_NAME);
}

export const config = loadConfig();
export const deps = buildDeps(config);
