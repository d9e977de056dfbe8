/**
 * Wiring: which adapter serves which port. Runs once per Lambda container at module scope, so SDK
 * clients and their connections are reused across invocations; tests build their own Deps instead.
 *
 * Each outside system is loaded and built on first use (`once` + `require`), not at import: a
 * function pays the cold start of the AWS SDK clients it actually calls and no other (the pages
 * function loads none). esbuild keeps bundled modules required this way lazy too.
 */
import type { DynamoSubscriberStore } from './adapters/dynamo-subscriber-store';
import { createLogger } from './adapters/logger';
import type { SmsSender } from './adapters/sms-sender';
import type { SnsTopics } from './adapters/sns-messenger';
import { type Config, loadConfig, redirectUri, signupUrl } from './config';
import type { CheckDispatcher, EventPublisher, HealthProvider, Messenger } from './ports';
import type { Deps } from './usecases/deps';

/** Builds a value on first call and keeps it. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

const endpoint = (url?: string) => (url ? { endpoint: url } : {});

/** The OAuth client secret: from SSM (read on first use, cached) on AWS, from the environment locally. */
function clientSecret(config: Config): string | (() => Promise<string>) {
  if (config.OAUTH_CLIENT_SECRET) return config.OAUTH_CLIENT_SECRET;
  const read = once(() => {
    const { SSMClient } = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
    const { ssmSecret } = require('./adapters/ssm-secret') as typeof import('./adapters/ssm-secret');
    return ssmSecret(
      new SSMClient({ region: config.AWS_REGION }),
      config.OAUTH_CLIENT_SECRET_PARAMETER as string,
    );
  });
  return () => read()();
}

export function buildProvider(config: Config): HealthProvider {
  const { OAuthClient } = require('./adapters/oauth-client') as typeof import('./adapters/oauth-client');
  const timeoutMs = config.PROVIDER_TIMEOUT_MS;
  const secret = clientSecret(config);
  if (config.PROVIDER === 'fitbit') {
    const { FitbitProvider, fitbitErrorCode } =
      require('./adapters/fitbit-provider') as typeof import('./adapters/fitbit-provider');
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
  const { GoogleHealthProvider, googleErrorCode } =
    require('./adapters/google-health-provider') as typeof import('./adapters/google-health-provider');
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
  const sns = once(() => {
    const { SNSClient } = require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
    return new SNSClient({ region, ...endpoint(config.SNS_ENDPOINT) });
  });
  const store = once((): DynamoSubscriberStore => {
    const { DynamoDBClient } =
      require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient } =
      require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');
    const { DynamoSubscriberStore } =
      require('./adapters/dynamo-subscriber-store') as typeof import('./adapters/dynamo-subscriber-store');
    const dynamo = new DynamoDBClient({ region, ...endpoint(config.DYNAMODB_ENDPOINT) });
    const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
    return new DynamoSubscriberStore(doc, config.TABLE_NAME);
  });
  const topics = once((): SnsTopics => {
    const { SnsTopics } = require('./adapters/sns-messenger') as typeof import('./adapters/sns-messenger');
    return new SnsTopics(sns());
  });
  const sender = once((): SmsSender => {
    const { PinpointSMSVoiceV2Client } =
      require('@aws-sdk/client-pinpoint-sms-voice-v2') as typeof import('@aws-sdk/client-pinpoint-sms-voice-v2');
    const { SmsSender } = require('./adapters/sms-sender') as typeof import('./adapters/sms-sender');
    return new SmsSender(
      new PinpointSMSVoiceV2Client({ region, ...endpoint(config.SMS_ENDPOINT) }),
      config.SERVICE_NUMBER,
    );
  });
  const events = once((): EventPublisher => {
    const { SnsEventPublisher } =
      require('./adapters/sns-messenger') as typeof import('./adapters/sns-messenger');
    return new SnsEventPublisher(sns(), config.NEW_SUBSCRIBER_TOPIC_ARN);
  });
  const provider = once(() => buildProvider(config));
  const messenger: Messenger = {
    ensureTopic: (name) => topics().ensureTopic(name),
    subscribeSms: (arn, phone) => topics().subscribeSms(arn, phone),
    unsubscribe: (arn) => topics().unsubscribe(arn),
    deleteTopic: (arn) => topics().deleteTopic(arn),
    isOptedOut: (phone) => topics().isOptedOut(phone),
    // SNS (alerts) and End User Messaging (replies) each keep an opt-out list.
    optIn: async (phone) => {
      await Promise.all([topics().optIn(phone), sender().optIn(phone)]);
    },
    publish: (arn, text) => topics().publish(arn, text),
    sendText: (to, text, from) => sender().sendText(to, text, from),
  };
  return {
    get store() {
      return store();
    },
    get provider() {
      return provider();
    },
    get events() {
      return events();
    },
    messenger,
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
  const { LambdaClient } = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
  const { LambdaCheckDispatcher } =
    require('./adapters/lambda-check-dispatcher') as typeof import('./adapters/lambda-check-dispatcher');
  const lambda = new LambdaClient({
    region: config.AWS_REGION,
    ...endpoint(config.LAMBDA_ENDPOINT),
    // One attempt: a failed batch stays due and the next round picks it up.
    maxAttempts: 1,
  });
  return new LambdaCheckDispatcher(lambda, config.CHECKER_FUNCTION_NAME);
}

export const config = loadConfig();
export const deps = buildDeps(config);
