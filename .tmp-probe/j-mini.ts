import * as z from 'zod/mini';
const optionalUrl = z.pipe(z.pipe(z.optional(z.string()), z.transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))), z.optional(z.url()));
const schema = z.object({
  SERVICE: z._default(z.string().check(z.minLength(1)), 'fitbit-battery-sms'),
  STAGE: z._default(z.string().check(z.minLength(1)), 'dev'),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  TABLE_NAME: z.string().check(z.minLength(1)),
  NEW_SUBSCRIBER_TOPIC_ARN: z.string().check(z.startsWith('arn:')),
  USER_TOPIC_PREFIX: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,100}$/)),
  PUBLIC_BASE_URL: z.url(),
  SERVICE_NUMBER: z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number')),
  DEFAULT_COUNTRY: z._default(z.string().check(z.regex(/^[A-Z]{2}$/)), 'US'),
  PROVIDER: z._default(z.enum(['google', 'fitbit']), 'google'),
  OAUTH_CLIENT_ID: z.string().check(z.minLength(1)),
  OAUTH_CLIENT_SECRET: z.optional(z.string()),
  OAUTH_CLIENT_SECRET_PARAMETER: z.optional(z.string()),
  GOOGLE_AUTH_URL: z._default(z.url(), 'https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: z._default(z.url(), 'https://oauth2.googleapis.com/token'),
  GOOGLE_REVOKE_URL: z._default(z.url(), 'https://oauth2.googleapis.com/revoke'),
  HEALTH_API_URL: z._default(z.url(), 'https://health.googleapis.com'),
  FITBIT_AUTH_URL: z._default(z.url(), 'https://www.fitbit.com/oauth2/authorize'),
  FITBIT_TOKEN_URL: z._default(z.url(), 'https://api.fitbit.com/oauth2/token'),
  FITBIT_REVOKE_URL: z._default(z.url(), 'https://api.fitbit.com/oauth2/revoke'),
  FITBIT_API_URL: z._default(z.url(), 'https://api.fitbit.com'),
  CHECKER_FUNCTION_NAME: z._default(z.string().check(z.minLength(1)), 'x'),
  CHECK_BATCH_SIZE: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(500)), 90),
  CHECK_PARALLELISM: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(200)), 10),
  CHECK_CONCURRENCY: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 10),
  PROVIDER_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.minimum(100), z.maximum(60000)), 8000),
  DYNAMODB_ENDPOINT: optionalUrl,
  SNS_ENDPOINT: optionalUrl,
  SMS_ENDPOINT: optionalUrl,
  LAMBDA_ENDPOINT: optionalUrl,
});
const r = schema.safeParse(process.env);
if (!r.success) throw new Error(JSON.stringify(r.error.issues));
export const c = r.data;
