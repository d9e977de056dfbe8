/**
 * Ports, names and fake credentials of the local stack. The only place local tooling reads its
 * environment; every value can be overridden so two stacks (a developer's and the tests') can run side by side.
 */
export interface LocalConfig {
  host: string;
  stage: string;
  service: string;
  region: string;
  accountId: string;
  httpPort: number;
  lambdaPort: number;
  dynamoPort: number;
  snsPort: number;
  sandboxPort: number;
  dataDir: string;
  /** The service's own long code: the number people text, and the number texts come from. */
  serviceNumber: string;
  clientId: string;
  clientSecret: string;
  provider: 'google' | 'fitbit';
  logLevel: string;
  /** Google Health webhooks: the Authorization header value the sandbox sends (seeded into local SSM). */
  webhookSecret: string;
  /** The project and subscriber id `npm start` registers the local webhook endpoint under. */
  webhookProject: string;
  webhookSubscriberId: string;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) {
    throw new Error(`${name} must be a TCP port number, got "${raw}"`);
  }
  return value;
}

export function localConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const provider = env.PROVIDER ?? 'google';
  if (provider !== 'google' && provider !== 'fitbit') throw new Error(`PROVIDER must be google or fitbit`);
  return {
    host: '127.0.0.1',
    stage: env.STAGE ?? 'dev',
    service: 'fitbit-battery-sms',
    region: 'us-east-1',
    accountId: '000000000000',
    httpPort: port(env, 'HTTP_PORT', 3000),
    lambdaPort: port(env, 'LAMBDA_PORT', 3002),
    dynamoPort: port(env, 'DYNAMODB_PORT', 8000),
    snsPort: port(env, 'SNS_PORT', 4002),
    sandboxPort: port(env, 'SANDBOX_PORT', 4010),
    dataDir: env.LOCAL_DATA_DIR ?? '.local',
    serviceNumber: env.SERVICE_NUMBER ?? '+12025550100',
    clientId: 'local-client-id',
    clientSecret: 'local-client-secret',
    provider,
    logLevel: env.LOG_LEVEL ?? 'INFO',
    webhookSecret: 'Bearer local-webhook-secret',
    webhookProject: 'local-project',
    webhookSubscriberId: 'battery-sms-local',
  };
}

/** Topic names follow `<service>-<stage>-<role>`, as serverless.yml names them. */
export function topicName(cfg: LocalConfig, role: 'new-subscriber' | 'inbound-sms'): string {
  return `${cfg.service}-${cfg.stage}-${role}`;
}

export function topicArn(cfg: LocalConfig, name: string): string {
  return `arn:aws:sns:${cfg.region}:${cfg.accountId}:${name}`;
}

export function functionName(cfg: LocalConfig, fn: string): string {
  return `${cfg.service}-${cfg.stage}-${fn}`;
}

/** The configuration variables that point the app's provider adapters at the sandbox instead of Google/Fitbit. */
export function sandboxProviderEnv(sandboxUrl: string): Record<string, string> {
  return {
    GOOGLE_AUTH_URL: `${sandboxUrl}/o/oauth2/v2/auth`,
    GOOGLE_TOKEN_URL: `${sandboxUrl}/token`,
    GOOGLE_REVOKE_URL: `${sandboxUrl}/revoke`,
    HEALTH_API_URL: sandboxUrl,
    GOOGLE_HEALTH_KEYSET_URL: `${sandboxUrl}/googlehealthapi/webhooks/webhooks_public_keyset.json`,
    FITBIT_AUTH_URL: `${sandboxUrl}/oauth2/authorize`,
    FITBIT_TOKEN_URL: `${sandboxUrl}/oauth2/token`,
    FITBIT_REVOKE_URL: `${sandboxUrl}/oauth2/revoke`,
    FITBIT_API_URL: sandboxUrl,
  };
}

/** The params a deployer passes (README: Deploy); everything else is the template's own default. */
export function deployParams(
  cfg: Pick<LocalConfig, 'clientId' | 'provider' | 'logLevel'>,
): Record<string, string> {
  return { oauthClientId: cfg.clientId, provider: cfg.provider, logLevel: cfg.logLevel };
}
