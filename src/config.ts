/**
 * The only module that reads process.env. Validated once at cold start; a missing or malformed
 * variable fails the container with its name. Endpoints (local stack or AWS) come from here.
 */

import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { isValidTimeZone } from './domain/quiet-hours';

// zod/mini rather than zod: the same validation, but tree-shaken to the checks used here, which keeps
// every function's cold start short (bench/bundle.ts). English messages name what is wrong.
z.config(en());

const text = (min = 1) => z.string().check(z.minLength(min));
const url = () => z.url();
const integer = (min: number, max: number, fallback: number) =>
  z._default(z.pipe(z.coerce.number(), z.int().check(z.minimum(min), z.maximum(max))), fallback);

const optionalUrl = z.pipe(
  z.pipe(
    z.optional(z.string()),
    z.transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
  ),
  z.optional(url()),
);

const schema = z.object({
  SERVICE: z._default(text(), 'fitbit-battery-sms'),
  STAGE: z._default(text(), 'dev'),
  AWS_REGION: z._default(text(), 'us-east-1'),
  TABLE_NAME: text(),
  NEW_SUBSCRIBER_TOPIC_ARN: z.string().check(z.startsWith('arn:')),
  /** Per-user topics are named `<prefix><provider>-<user id>`; IAM limits topic creation to it. */
  USER_TOPIC_PREFIX: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,100}$/)),
  PUBLIC_BASE_URL: url(),
  SERVICE_NUMBER: z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number')),
  /**
   * The SMS country rule (protect configuration) the template creates: every one-to-one text names
   * it, so AWS refuses a country outside ALLOWED_COUNTRIES. Unset only in in-process harnesses.
   */
  PROTECT_CONFIGURATION_ID: z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
    ),
    z.optional(z.string().check(z.regex(/^[A-Za-z0-9_:/-]{1,256}$/, 'a protect configuration id'))),
  ),
  DEFAULT_COUNTRY: z._default(
    z.string().check(z.regex(/^[A-Z]{2}$/, 'an ISO 3166 two-letter country code')),
    'US',
  ),
  /** Quiet hours use this zone for people whose provider settings have none (never a silent UTC). */
  DEFAULT_TIME_ZONE: z._default(
    z.string().check(z.refine(isValidTimeZone, 'an IANA time zone name such as America/New_York')),
    'America/New_York',
  ),
  /**
   * Comma-separated ISO codes of the countries whose numbers may sign up. Empty: the default
   * country, plus Canada when that is the US (one numbering plan, one long code reaches both).
   */
  ALLOWED_COUNTRIES: z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((v) =>
        (v ?? '')
          .split(',')
          .map((c) => c.trim().toUpperCase())
          .filter((c) => c !== ''),
      ),
    ),
    z.array(z.string().check(z.regex(/^[A-Z]{2}$/, 'ISO 3166 two-letter country codes, comma-separated'))),
  ),
  PROVIDER: z._default(z.enum(['google', 'fitbit']), 'google'),
  /** The phone number's SelfManagedOptOutsEnabled: whether the service, not AWS, answers HELP and STOP. */
  SELF_MANAGED_OPT_OUTS: z.pipe(
    z._default(z.enum(['true', 'false']), 'false'),
    z.transform((v) => v === 'true'),
  ),
  OAUTH_CLIENT_ID: text(),
  /**
   * In-process harnesses only (benchmarks, tests that build Deps). The template never sets it: on AWS
   * and on the local stack the secret lives in SSM Parameter Store, named by the next variable.
   */
  OAUTH_CLIENT_SECRET: z.optional(z.string()),
  OAUTH_CLIENT_SECRET_PARAMETER: z.optional(z.string()),
  GOOGLE_AUTH_URL: z._default(url(), 'https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: z._default(url(), 'https://oauth2.googleapis.com/token'),
  GOOGLE_REVOKE_URL: z._default(url(), 'https://oauth2.googleapis.com/revoke'),
  HEALTH_API_URL: z._default(url(), 'https://health.googleapis.com'),
  FITBIT_AUTH_URL: z._default(url(), 'https://www.fitbit.com/oauth2/authorize'),
  FITBIT_TOKEN_URL: z._default(url(), 'https://api.fitbit.com/oauth2/token'),
  FITBIT_REVOKE_URL: z._default(url(), 'https://api.fitbit.com/oauth2/revoke'),
  FITBIT_API_URL: z._default(url(), 'https://api.fitbit.com'),
  /** The checker Lambda the dispatcher fans out to. */
  CHECKER_FUNCTION_NAME: z._default(text(), 'fitbit-battery-sms-dev-checkBatteries'),
  /** Subscribers per checker invocation, checker invocations in flight, provider calls per checker. */
  CHECK_BATCH_SIZE: integer(1, 500, 90),
  CHECK_PARALLELISM: integer(1, 200, 10),
  CHECK_CONCURRENCY: integer(1, 100, 10),
  PROVIDER_TIMEOUT_MS: integer(100, 60000, 8000),
  DYNAMODB_ENDPOINT: optionalUrl,
  SNS_ENDPOINT: optionalUrl,
  SMS_ENDPOINT: optionalUrl,
  LAMBDA_ENDPOINT: optionalUrl,
});

export type Config = z.infer<typeof schema>;

const checked = schema.check(
  z.refine((c) => Boolean(c.OAUTH_CLIENT_SECRET || c.OAUTH_CLIENT_SECRET_PARAMETER), {
    message: 'set OAUTH_CLIENT_SECRET_PARAMETER (an SSM SecureString name)',
    path: ['OAUTH_CLIENT_SECRET_PARAMETER'],
  }),
);

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

/** The countries sign-ups are accepted from (see ALLOWED_COUNTRIES). */
export function allowedCountries(config: Pick<Config, 'ALLOWED_COUNTRIES' | 'DEFAULT_COUNTRY'>): string[] {
  if (config.ALLOWED_COUNTRIES.length > 0) return config.ALLOWED_COUNTRIES;
  return config.DEFAULT_COUNTRY === 'US' ? ['US', 'CA'] : [config.DEFAULT_COUNTRY];
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
