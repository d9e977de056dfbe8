/**
 * The world the reliability campaign runs in, in one process: dynalite with the serverless.yml
 * tables, the sandbox (Google OAuth + Health API, legacy Fitbit, the phone network, fault injection)
 * and the local SNS emulator delivering topic publishes to the sandbox's phones, all on one
 * hand-driven clock. The app is the production adapters (bench/wiring.ts, built once the
 * environment points at these services) behind the real Lambda handler factories, with the
 * harness's clock, a no-wait sleep and a recording logger; the messenger stays the real one
 * (SNS topics through the emulator, End User Messaging texts through the sandbox) with its
 * publish/sendText calls counted on the way through.
 *
 * One harness per process: its configuration comes from the process environment.
 */
import { resolve } from 'node:path';
import { ensureTables, type LocalDynamo, startDynamo } from '../../local/dynamo';
import { sandboxProviderEnv } from '../../local/local-config';
import { type Sandbox, startSandbox } from '../../local/sandbox';
import type { FaultRequest } from '../../local/sandbox/faults';
import { type LocalSns, startLocalSns } from '../../local/sns';
import type { Config } from '../../src/config';
import { takeOwnership } from '../../src/domain/lifecycle';
import type { Subscriber } from '../../src/domain/subscriber';
import type { CheckDispatcher, CheckSummary, Logger } from '../../src/ports';
import { type Deps, updatePhone } from '../../src/usecases/deps';
import { dispatchChecks, type RoundSummary } from '../../src/usecases/dispatch-checks';
import { sandboxJson, sandboxUser, trackerAndScale } from '../support/sandbox-users';

const ROOT = resolve(__dirname, '../..');
export const CLIENT_ID = 'reliability-client';
export const CLIENT_SECRET = 'reliability-secret';
export const SERVICE_NUMBER = '+12025550100';
export const TOPIC_PREFIX = 'rel-';
/** Small, so a `delayMs` fault beyond it is a timeout without slowing the campaign down much. */
export const PROVIDER_TIMEOUT_MS = 1000;

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra?: Record<string, unknown>;
}

/** Keeps every log line so scenarios can check what was recorded; prints warnings when asked. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  constructor(private readonly echo = process.env.RELIABILITY_VERBOSE === '1') {}
  private add(level: LogEntry['level'], message: string, extra?: Record<string, unknown>) {
    this.entries.push({ level, message, extra });
    if (this.echo && level !== 'debug') console.error(`[${level}] ${message} ${JSON.stringify(extra ?? {})}`);
  }
  debug(message: string, extra?: Record<string, unknown>) {
    this.add('debug', message, extra);
  }
  info(message: string, extra?: Record<string, unknown>) {
    this.add('info', message, extra);
  }
  warn(message: string, extra?: Record<string, unknown>) {
    this.add('warn', message, extra);
  }
  error(message: string, extra?: Record<string, unknown>) {
    this.add('error', message, extra);
  }
  /** Lines logged from `from` (an index into entries) on. */
  since(from: number): LogEntry[] {
    return this.entries.slice(from);
  }
}

export interface HarnessClock {
  now: number;
  advance(ms: number): void;
}

/** The real Lambda handlers this campaign drives (imported after the environment is set). */
export interface Handlers {
  inboundSms(event: unknown): Promise<void>;
  createUserTopic(event: unknown): Promise<void>;
  checkBatteries(event: unknown): Promise<CheckSummary>;
}

export interface Harness {
  clock: HarnessClock;
  sandbox: Sandbox;
  sandboxUrl: string;
  sns: LocalSns;
  dynamo: LocalDynamo;
  config: Config;
  /** The production deps object the handlers use, with clock, sleep, logger and counting messenger. */
  deps: Deps;
  logger: RecordingLogger;
  handlers: Handlers;
  /** Calls that went through the messenger port, per phone or topic. */
  sent: { publishes: Map<string, number>; texts: Map<string, number>; sleeps: number };
  /** Builds a provider of the other kind with the same wiring (buildProvider of src/functions). */
  provider(kind: 'google' | 'fitbit'): Deps['provider'];
  /** A round as pollBatteries runs it, fanned out to the real checkBatteries handler in process. */
  round(force: boolean): Promise<RoundSummary>;
  /** A fresh E.164 number nobody else in this process used. */
  phone(): string;
  close(): Promise<void>;
}

let started: Harness | undefined;

export async function startHarness(): Promise<Harness> {
  if (started) return started;
  const clock: HarnessClock = {
    // Wall-clock start: the OAuth adapter stamps token expiry with Date.now (the wiring passes it no
    // clock), so the app's clock starts where that one is and only ever moves ahead of it.
    now: Date.now(),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const dynamo = await startDynamo();
  const [table] = await ensureTables(dynamo.endpoint, ROOT, 'reliability');
  if (!table) throw new Error('serverless.yml declares no DynamoDB table');
  let sns: LocalSns | undefined;
  const sandbox = await startSandbox({
    host: '127.0.0.1',
    port: 0,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    serviceNumber: SERVICE_NUMBER,
    // Inbound texts typed into the sandbox are not delivered to the app: scenarios deliver SNS
    // events to the handlers themselves, in the order (and as many times) they choose.
    publishInbound: async () => {},
    // Both opt-out lists follow a STOP, as on AWS.
    onOptOutChange: (phone, optedOut) => (optedOut ? sns?.optOut(phone) : sns?.optIn(phone)),
    now: () => clock.now,
  });
  sns = await startLocalSns({
    host: '127.0.0.1',
    port: 0,
    region: 'us-east-1',
    accountId: '000000000000',
    lambdaEndpoint: 'http://127.0.0.1:9',
    lambdaSubscriptions: {},
    smsSink: (to, body) => {
      sandbox.phones.deliver(to, body);
    },
  });

  Object.assign(process.env, {
    STAGE: 'reliability',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: table,
    NEW_SUBSCRIBER_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:reliability-new-subscriber',
    USER_TOPIC_PREFIX: TOPIC_PREFIX,
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000/',
    SERVICE_NUMBER,
    PROVIDER: 'google',
    OAUTH_CLIENT_ID: CLIENT_ID,
    OAUTH_CLIENT_SECRET: CLIENT_SECRET,
    ...sandboxProviderEnv(sandbox.url),
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    SNS_ENDPOINT: sns.url,
    SMS_ENDPOINT: sandbox.url,
    PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
    CHECK_BATCH_SIZE: '10',
    CHECK_PARALLELISM: '4',
    CHECK_CONCURRENCY: '10',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'CRITICAL',
  });
  const { loadConfig } = await import('../../src/config');
  const { buildAllDeps, buildProvider, clientSecret } = await import('../wiring');
  const { makeInboundSmsHandler } = await import('../../src/handlers/inbound-sms');
  const { makeCreateUserTopicHandler } = await import('../../src/handlers/create-user-topic');
  const { makeCheckBatteriesHandler } = await import('../../src/handlers/check-batteries');
  const config = loadConfig();

  const logger = new RecordingLogger();
  const sent = { publishes: new Map<string, number>(), texts: new Map<string, number>(), sleeps: 0 };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const wired = buildAllDeps(config);
  const real = wired.messenger;
  const deps: Deps = {
    ...wired,
    clock: { now: () => clock.now },
    // Retries inside a check happen at once: the campaign measures outcomes, not waiting.
    sleep: async () => {
      sent.sleeps++;
    },
    logger,
    messenger: {
      ...real,
      publish: async (topicArn: string, text: string) => {
        bump(sent.publishes, topicArn);
        await real.publish(topicArn, text);
      },
      sendText: async (to: string, text: string, from?: string) => {
        bump(sent.texts, to);
        await real.sendText(to, text, from);
      },
    },
  };
  const checkBatteries = {
    handler: makeCheckBatteriesHandler(deps, { concurrency: config.CHECK_CONCURRENCY }),
  };

  const dispatcher: CheckDispatcher = {
    check: (subscriberIds, force) => checkBatteries.handler({ subscriberIds, force }),
  };
  let phones = 0;
  const harness: Harness = {
    clock,
    sandbox,
    sandboxUrl: sandbox.url,
    sns,
    dynamo,
    config: config,
    deps,
    logger,
    sent,
    handlers: {
      inboundSms: makeInboundSmsHandler(deps),
      createUserTopic: makeCreateUserTopicHandler(deps),
      checkBatteries: checkBatteries.handler,
    },
    provider: (kind) => buildProvider({ ...config, PROVIDER: kind }, clientSecret(config)),
    round: (force) =>
      dispatchChecks(
        { dueSubscribers: deps.dueSubscribers, dispatcher, clock: deps.clock, logger },
        {
          force,
          batchSize: config.CHECK_BATCH_SIZE,
          parallelism: config.CHECK_PARALLELISM,
        },
      ),
    phone: () => {
      phones++;
      return `+1206555${String(phones).padStart(4, '0')}`;
    },
    async close() {
      await Promise.allSettled([sns?.close(), sandbox.close(), dynamo.close()]);
      started = undefined;
    },
  };
  started = harness;
  return harness;
}

// ---- the sandbox's control API ---------------------------------------------------------------

export function sandboxCall<T = unknown>(
  h: Pick<Harness, 'sandboxUrl'>,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return sandboxJson<T>(h.sandboxUrl, method, path, body);
}

/** The sandbox's own type: a fault the bench arms is one the sandbox accepts. */
export type { FaultRequest };

export const addFault = (h: Harness, fault: FaultRequest) => sandboxCall(h, 'POST', '/sandbox/faults', fault);
export const clearFaults = (h: Harness) => sandboxCall(h, 'DELETE', '/sandbox/faults');
export const activeFaults = (h: Harness) =>
  sandboxCall<Array<FaultRequest & { remaining: number }>>(h, 'GET', '/sandbox/faults');

export async function tokenRefreshes(h: Harness, user: string): Promise<{ google: number; fitbit: number }> {
  const body = await sandboxCall<{ counters: { tokenRefreshes: { google: number; fitbit: number } } }>(
    h,
    'GET',
    `/sandbox/users/${user}`,
  );
  return body.counters.tokenRefreshes;
}

/** Texts the service sent to a number (End User Messaging and SNS alike), oldest first. */
export function textsTo(h: Harness, phone: string): string[] {
  return h.sandbox.phones
    .messages(phone)
    .filter((m) => m.direction === 'out')
    .map((m) => m.body);
}

export interface SeedOptions {
  /** Battery level of the user's tracker; at or below 20 it is due a text. */
  level: number;
  /** Store the access token as expired, so the check starts with a refresh. */
  expired?: boolean;
  state?: Subscriber['state'];
  /** Give the subscriber a real SNS topic with their phone subscribed (alerts reach the sandbox phone). */
  topic?: boolean;
}

/**
 * A sandbox user with one tracker (and a scale at 90%) and a Google grant, and the matching
 * subscriber written through the real store: active, due now, quiet hours off so any hour works.
 */
export async function seedGoogleSubscriber(
  h: Harness,
  user: string,
  options: SeedOptions,
): Promise<Subscriber> {
  const now = h.clock.now;
  const grant = await sandboxUser(h.sandboxUrl, user, trackerAndScale(options.level, now - 10 * 60_000));
  const phone = h.phone();
  let topicArn: string | undefined;
  let subscriptionArn: string | undefined;
  if (options.topic !== false) {
    topicArn = await h.deps.messenger.ensureTopic(`${TOPIC_PREFIX}google-${user}`);
    subscriptionArn = await h.deps.messenger.subscribeSms(topicArn, phone);
  }
  const subscriber = await h.deps.subscribers.saveSubscriber({
    id: `google#${user}`,
    provider: 'google',
    providerUserId: user,
    phone,
    state: options.state ?? 'active',
    tokens: {
      accessToken: grant.access_token,
      refreshToken: grant.refresh_token,
      expiresAt: options.expired ? now - 1 : now + grant.expires_in * 1000,
      scope: grant.scope,
    },
    timeZone: 'UTC',
    version: 0,
    signupId: `signup-${user}`,
    topicArn,
    subscriptionArn,
    threshold: 20,
    quietHours: { start: 0, end: 0 },
    devices: {},
    nextCheckAt: options.state === undefined || options.state === 'active' ? now - 1 : undefined,
    createdAt: now,
    updatedAt: now,
  });
  if (subscriber.state === 'active')
    await updatePhone(h.deps, phone, (record) => takeOwnership(record, subscriber.id, h.deps.clock.now()));
  return subscriber;
}

/** Deletes a scenario's subscribers, so later rounds (forced ones above all) see only their own. */
export async function retire(h: Harness, ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => h.deps.subscribers.deleteSubscriber(id)));
}

/** An SNS event with one record per message, as Lambda receives it. */
export function snsEvent(...messages: unknown[]): unknown {
  return {
    Records: messages.map((message, i) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:reliability:sub',
      Sns: {
        Type: 'Notification',
        MessageId: `msg-${i}`,
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:reliability',
        Message: typeof message === 'string' ? message : JSON.stringify(message),
        Timestamp: new Date().toISOString(),
      },
    })),
  };
}

/** Runs a handler and says how it ended, never throwing. */
export async function settle(
  run: () => Promise<unknown>,
): Promise<{ ok: true } | { ok: false; error: string; message: string }> {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    const e = error as Error;
    return { ok: false, error: e?.name ?? 'unknown', message: e?.message ?? String(error) };
  }
}
