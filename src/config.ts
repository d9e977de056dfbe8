/**
 * The only module that reads process.env. Validated once at cold start; a missing or malformed
 * variable fails the container with its name. Endpoints (local stack or AWS) come from here.
 */
import { z } from 'zod';
import { isValidTimeZone } from './domain/quiet-hours';

const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
  .pipe(z.url().optional());

const schema = z.object({
  SERVICE: z.string().min(1).default('fitbit-battery-sms'),
  STAGE: z.string().min(1).default('dev'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  TABLE_NAME: z.string().min(1),
  NEW_SUBSCRIBER_TOPIC_ARN: z.string().startsWith('arn:'),
  /** Per-user topics are named `<prefix><provider>-<user id>`; IAM limits topic creation to it. */
  USER_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
  PUBLIC_BASE_URL: z.url(),
  SERVICE_NUMBER: z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number'),
  DEFAULT_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166 two-letter country code')
    .default('US'),
  /** Quiet hours use this zone for people whose provider settings have none (never a silent UTC). */
  DEFAULT_TIME_ZONE: z
    .string()
    .refine(isValidTimeZone, 'an IANA time zone name such as America/New_York')
    .default('America/New_York'),
  PROVIDER: z.enum(['google', 'fitbit']).default('google'),
  /** The phone number's SelfManagedOptOutsEnabled: whether the service, not AWS, answers HELP and STOP. */
  SELF_MANAGED_OPT_OUTS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  OAUTH_CLIENT_ID: z.string().min(1),
  /**
   * In-process harnesses only (benchmarks, tests that build Deps). The template never sets it: on AWS
   * and on the local stack the secret lives in SSM Parameter Store, named by the next variable.
   */
  OAUTH_CLIENT_SECRET: z.string().optional(),
  OAUTH_CLIENT_SECRET_PARAMETER: z.string().optional(),
  GOOGLE_AUTH_URL: z.url().default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
  GOOGLE_REVOKE_URL: z.url().default('https://oauth2.googleapis.com/revoke'),
  HEALTH_API_URL: z.url().default('https://health.googleapis.com'),
  FITBIT_AUTH_URL: z.url().default('https://www.fitbit.com/oauth2/authorize'),
  FITBIT_TOKEN_URL: z.url().default('https://api.fitbit.com/oauth2/token'),
  FITBIT_REVOKE_URL: z.url().default('https://api.fitbit.com/oauth2/revoke'),
  FITBIT_API_URL: z.url().default('https://api.fitbit.com'),
  /** The checker Lambda the dispatcher fans out to. */
  CHECKER_FUNCTION_NAME: z.string().min(1).default('fitbit-battery-sms-dev-checkBatteries'),
  /** Subscribers per checker invocation, checker invocations in flight, provider calls per checker. */
  CHECK_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(90),
  CHECK_PARALLELISM: z.coerce.number().int().min(1).max(200).default(10),
  CHECK_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(8000),
  DYNAMODB_ENDPOINT: optionalUrl,
  SNS_ENDPOINT: optionalUrl,
  SMS_ENDPOINT: optionalUrl,
  LAMBDA_ENDPOINT: optionalUrl,
});

export type Config = z.infer<typeof schema>;

const checked = schema.refine((c) => Boolean(c.OAUTH_CLIENT_SECRET || c.OAUTH_CLIENT_SECRET_PARAMETER), {
  message: 'set OAUTH_CLIENT_SECRET_PARAMETER (an SSM SecureString name)',
  path: ['OAUTH_CLIENT_SECRET_PARAMETER'],
});

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = checked.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return result.data;
}

/** The address the provider sends people back to after consent. */
export function redirectUri(config: Pick<Config, 'PUBLIC_BASE_URL'>): string {
  return new URL('oauth/callback', withSlash(config.PUBLIC_BASE_URL)).toString();
}

export function signupUrl(config: Pick<Config, 'PUBLIC_BASE_URL'>): string {
  return withSlash(config.PUBLIC_BASE_URL);
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * Origin of the provider's consent page, which the sign-up form may redirect to (CSP form-action).
 * Derived here so the pages function needs no provider adapter (and no AWS SDK) to know it.
 */
export function authorizationOrigin(
  config: Pick<Config, 'PROVIDER' | 'GOOGLE_AUTH_URL' | 'FITBIT_AUTH_URL'>,
): string {
  return new URL(config.PROVIDER === 'fitbit' ? config.FITBIT_AUTH_URL : config.GOOGLE_AUTH_URL).origin;
}
