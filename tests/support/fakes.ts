/**
 * In-memory fakes of the ports, faithful to the contracts in src/ports.ts (optimistic locking,
 * single-use expiring sign-up states, phone records, inbound claims), plus fixtures and a `makeDeps()`
 * builder. Every fake copies what it stores and returns, so a test cannot mutate "the database".
 */
import { createHmac, randomBytes } from 'node:crypto';
import { TopicNotFoundError, VersionConflictError } from '../../src/domain/errors';
import { isVacant, livePending, type PhoneRecord, phoneExpiry } from '../../src/domain/lifecycle';
import {
  DEFAULT_QUIET_HOURS,
  DEFAULT_THRESHOLD,
  type Subscriber,
  type TokenSet,
} from '../../src/domain/subscriber';
import type {
  AuthorizationStart,
  Clock,
  Device,
  EventPublisher,
  HealthProvider,
  Logger,
  Messenger,
  NewSubscriberEvent,
  ProviderProfile,
  RateLimits,
  SignupState,
  SubscriberStore,
  TopicSubscription,
} from '../../src/ports';
import type { AppSettings, Deps } from '../../src/usecases/deps';

const copy = <T>(value: T): T => structuredClone(value);

/** 2026-11-23T12:00:00Z: a fixed, ordinary instant. */
export const T0 = Date.parse('2026-11-23T12:00:00Z');

export class FakeClock implements Clock {
  constructor(public current = T0) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** One failure to inject: thrown by the next `times` calls of `method`. */
interface Injected {
  error: Error;
  times: number;
}

class FailureScript<M extends string> {
  private readonly failures = new Map<M, Injected>();
  fail(method: M, error: Error, times = 1): void {
    this.failures.set(method, { error, times });
  }
  check(method: M): void {
    const injected = this.failures.get(method);
    if (!injected) return;
    injected.times -= 1;
    if (injected.times <= 0) this.failures.delete(method);
    throw injected.error;
  }
}

export class FakeStore implements SubscriberStore {
  readonly signups = new Map<string, SignupState>();
  readonly subscribers = new Map<string, Subscriber>();
  /** messageId -> epoch ms after which the claim is forgotten. */
  readonly inbound = new Map<string, number>();
  readonly failures = new FailureScript<keyof SubscriberStore>();
  /** Every save attempt, successful or not, in order. */
  readonly saves: Subscriber[] = [];
  /**
   * Runs just before a save is checked against the stored version: lets a test play a concurrent
   * writer that wins the race. Cleared after it runs once.
   */
  beforeNextSave?: (store: FakeStore) => void;

  constructor(private readonly inboundMemoryMs = 7 * 24 * 3600 * 1000) {}

  async putSignupState(signup: SignupState): Promise<void> {
    this.failures.check('putSignupState');
    if (this.signups.has(signup.state)) throw new Error('signup state already exists');
    this.signups.set(signup.state, copy(signup));
  }

  async consumeSignupState(
    state: string,
    browserBinding: string,
    now: number,
  ): Promise<SignupState | undefined> {
    this.failures.check('consumeSignupState');
    const signup = this.signups.get(state);
    // Like the table's conditional delete: another browser's binding leaves the state in place.
    if (signup?.browserBinding !== browserBinding) return undefined;
    this.signups.delete(state);
    return signup && signup.expiresAtMs > now ? copy(signup) : undefined;
  }

  async getSubscriber(id: string, now: number): Promise<Subscriber | undefined> {
    this.failures.check('getSubscriber');
    const subscriber = this.subscribers.get(id);
    if (!subscriber || isExpired(subscriber, now)) return undefined;
    return copy(subscriber);
  }

  async getSubscribers(ids: string[], now: number): Promise<Map<string, Subscriber>> {
    this.failures.check('getSubscribers');
    const found = new Map<string, Subscriber>();
    for (const id of ids) {
      const subscriber = this.subscribers.get(id);
      if (subscriber && !isExpired(subscriber, now)) found.set(id, copy(subscriber));
    }
    return found;
  }

  async saveSubscriber(subscriber: Subscriber): Promise<Subscriber> {
    this.saves.push(copy(subscriber));
    const hook = this.beforeNextSave;
    this.beforeNextSave = undefined;
    hook?.(this);
    this.failures.check('saveSubscriber');
    const stored = this.subscribers.get(subscriber.id);
    if (subscriber.version === 0) {
      // Like the table: a new record may replace only one whose expiry has passed.
      if (stored && !isExpired(stored, subscriber.updatedAt)) {
        throw new VersionConflictError(`subscriber ${subscriber.id} already exists`);
      }
    } else if (!stored || stored.version !== subscriber.version) {
      throw new VersionConflictError(`subscriber changed since version ${subscriber.version}`);
    }
    const saved: Subscriber = { ...copy(subscriber), version: subscriber.version + 1 };
    if (saved.expiresAtMs === undefined) delete saved.expiresAtMs;
    this.subscribers.set(saved.id, saved);
    return copy(saved);
  }

  /** Writes a subscriber as given, with no version check: test set-up, or a writer that just won. */
  seedSubscriber(subscriber: Subscriber): Subscriber {
    const stored = copy(subscriber);
    this.subscribers.set(stored.id, stored);
    return copy(stored);
  }

  /** Phone records as stored, with the expiry (epoch ms) the table's TTL would carry. */
  readonly phones = new Map<string, StoredPhone>();

  async getPhone(phone: string, now: number): Promise<PhoneRecord | undefined> {
    this.failures.check('getPhone');
    const stored = this.phones.get(phone);
    if (!stored || (stored.expiresAtMs !== undefined && stored.expiresAtMs <= now)) return undefined;
    const { expiresAtMs: _expiry, pending: _pending, ...rest } = copy(stored);
    const pending = livePending({ ...stored, version: 0 }, now);
    // A record a test seeded without a version reads as stored once.
    const record = { ...rest, version: stored.version ?? 1 };
    return Object.keys(pending).length > 0 ? { ...record, pending } : record;
  }

  async savePhone(record: PhoneRecord, now: number): Promise<PhoneRecord> {
    this.failures.check('savePhone');
    const stored = this.phones.get(record.phone);
    const storedLive = stored && !(stored.expiresAtMs !== undefined && stored.expiresAtMs <= now);
    if (record.version === 0 ? storedLive : (stored?.version ?? 1) !== record.version) {
      throw new VersionConflictError(`phone record changed since version ${record.version}`);
    }
    if (isVacant(record, now)) {
      this.phones.delete(record.phone);
      return { phone: record.phone, version: 0 };
    }
    const saved: PhoneRecord = { ...copy(record), version: record.version + 1 };
    const expiresAtMs = phoneExpiry(record, now);
    this.phones.set(record.phone, expiresAtMs === undefined ? saved : { ...saved, expiresAtMs });
    return copy(saved);
  }

  async deleteSubscriber(id: string): Promise<void> {
    this.failures.check('deleteSubscriber');
    this.subscribers.delete(id);
  }

  async *listDue(now: number, options: { force: boolean; pageSize: number }): AsyncIterable<string[]> {
    this.failures.check('listDue');
    // Like the sparse index: active and stopped subscribers with a next check only.
    const due = [...this.subscribers.values()]
      .filter((s) => (s.state === 'active' || s.state === 'stopped') && s.nextCheckAt !== undefined)
      .filter((s) => options.force || (s.nextCheckAt as number) <= now)
      .map((s) => s.id);
    for (let i = 0; i < due.length; i += options.pageSize) yield due.slice(i, i + options.pageSize);
  }

  async claimInboundMessage(messageId: string, now: number): Promise<boolean> {
    this.failures.check('claimInboundMessage');
    const until = this.inbound.get(messageId);
    if (until !== undefined && until > now) return false;
    this.inbound.set(messageId, now + this.inboundMemoryMs);
    return true;
  }

  async releaseInboundMessage(messageId: string): Promise<void> {
    this.failures.check('releaseInboundMessage');
    this.inbound.delete(messageId);
  }
}

/** A phone record as the fake table holds it: tests may seed one without a version. */
export type StoredPhone = Omit<PhoneRecord, 'version'> & { version?: number; expiresAtMs?: number };

/** The fixed key the fake rate limits hash with, as the local stack uses a fixed local one. */
export const TEST_RATE_KEY = 'test-rate-limit-key';

/**
 * RateLimits in memory, faithful to the Dynamo adapter: fixed windows, and keys that hold an HMAC of
 * the subject, never the subject (so "no item holds the number" can be checked on it too).
 */
export class FakeRateLimits implements RateLimits {
  /** key -> count, or set of hashed members; with the window's end in epoch ms. */
  readonly items = new Map<string, { used: number; members: Set<string>; until: number }>();
  readonly failures = new FailureScript<keyof RateLimits>();

  private entry(kind: string, subject: string, windowMs: number, now: number) {
    const bucket = Math.floor(now / windowMs);
    const key = `RATE#${kind}#${hash(subject)}#${bucket}`;
    for (const [k, item] of this.items) if (item.until <= now) this.items.delete(k);
    const item = this.items.get(key) ?? {
      used: 0,
      members: new Set<string>(),
      until: (bucket + 1) * windowMs,
    };
    this.items.set(key, item);
    return item;
  }

  async take(kind: string, subject: string, max: number, windowMs: number, now: number): Promise<boolean> {
    this.failures.check('take');
    const item = this.entry(kind, subject, windowMs, now);
    if (item.used >= max) return false;
    item.used += 1;
    return true;
  }

  /** kind#hash -> when the last one went (epoch ms). */
  readonly cooldowns = new Map<string, number>();

  async cooldown(kind: string, subject: string, windowMs: number, now: number): Promise<boolean> {
    this.failures.check('cooldown');
    const key = `RATE#${kind}#${hash(subject)}`;
    const last = this.cooldowns.get(key);
    if (last !== undefined && last > now - windowMs) return false;
    this.cooldowns.set(key, now);
    return true;
  }

  async takeDistinct(
    kind: string,
    subject: string,
    member: string,
    max: number,
    windowMs: number,
    now: number,
  ): Promise<boolean> {
    this.failures.check('takeDistinct');
    const item = this.entry(kind, subject, windowMs, now);
    const hashed = hash(member);
    if (!item.members.has(hashed) && item.members.size >= max) return false;
    item.members.add(hashed);
    return true;
  }
}

function hash(value: string): string {
  return createHmac('sha256', TEST_RATE_KEY).update(value).digest('base64url');
}

function isExpired(subscriber: Subscriber, now: number): boolean {
  return subscriber.expiresAtMs !== undefined && subscriber.expiresAtMs <= now;
}

export interface SentText {
  to: string;
  text: string;
  from?: string;
}

export class FakeMessenger implements Messenger {
  readonly topics = new Map<string, string>();
  /** subscriptionArn -> who is subscribed to what. */
  readonly subscriptions = new Map<string, { topicArn: string; phone: string }>();
  readonly texts: SentText[] = [];
  readonly published: Array<{ topicArn: string; text: string }> = [];
  readonly unsubscribed: string[] = [];
  readonly failures = new FailureScript<keyof Messenger>();
  private counter = 0;

  /** Topics deleted behind the service's back (by hand, or lost): SNS answers NotFound for them. */
  readonly lostTopics = new Set<string>();

  /** Deletes a topic and its subscriptions the way someone in the console would. */
  loseTopic(topicArn: string): void {
    this.lostTopics.add(topicArn);
    for (const [name, arn] of this.topics) if (arn === topicArn) this.topics.delete(name);
    for (const [arn, sub] of this.subscriptions)
      if (sub.topicArn === topicArn) this.subscriptions.delete(arn);
  }

  private requireTopic(topicArn: string): void {
    if (this.lostTopics.has(topicArn)) throw new TopicNotFoundError('topic does not exist');
  }

  async ensureTopic(name: string): Promise<string> {
    this.failures.check('ensureTopic');
    const existing = this.topics.get(name);
    if (existing) return existing;
    // As on SNS, a topic made again under the same name has the same ARN.
    const arn = `arn:aws:sns:us-east-1:000000000000:${name}`;
    this.topics.set(name, arn);
    this.lostTopics.delete(arn);
    return arn;
  }

  async subscribeSms(topicArn: string, phone: string): Promise<string> {
    this.failures.check('subscribeSms');
    this.requireTopic(topicArn);
    for (const [arn, sub] of this.subscriptions)
      if (sub.topicArn === topicArn && sub.phone === phone) return arn;
    const arn = `${topicArn}:sub-${++this.counter}`;
    this.subscriptions.set(arn, { topicArn, phone });
    return arn;
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    this.failures.check('unsubscribe');
    this.unsubscribed.push(subscriptionArn);
    this.subscriptions.delete(subscriptionArn);
  }

  async listSubscriptions(topicArn: string): Promise<TopicSubscription[]> {
    this.failures.check('listSubscriptions');
    this.requireTopic(topicArn);
    return [...this.subscriptions]
      .filter(([, sub]) => sub.topicArn === topicArn)
      .map(([subscriptionArn, sub]) => ({ subscriptionArn, protocol: 'sms', endpoint: sub.phone }));
  }

  readonly deletedTopics: string[] = [];
  readonly optedIn: string[] = [];

  async deleteTopic(topicArn: string): Promise<void> {
    this.failures.check('deleteTopic');
    this.deletedTopics.push(topicArn);
    // As SNS: the topic and its subscriptions are gone (and deleting a gone topic succeeds).
    this.loseTopic(topicArn);
  }

  /** Numbers on the fake account's opt-out list. */
  readonly optedOut = new Set<string>();

  async isOptedOut(phone: string): Promise<boolean> {
    this.failures.check('isOptedOut');
    return this.optedOut.has(phone);
  }

  async optIn(phone: string): Promise<void> {
    this.failures.check('optIn');
    this.optedIn.push(phone);
    this.optedOut.delete(phone);
  }

  /** Every text a publish delivered, to each phone subscribed to the topic (as SNS fans out). */
  readonly deliveries: Array<{ topicArn: string; phone: string; text: string }> = [];

  async publish(topicArn: string, text: string): Promise<void> {
    this.failures.check('publish');
    this.requireTopic(topicArn);
    this.published.push({ topicArn, text });
    for (const sub of this.subscriptions.values())
      if (sub.topicArn === topicArn) this.deliveries.push({ topicArn, phone: sub.phone, text });
  }

  async sendText(to: string, text: string, from?: string): Promise<void> {
    this.failures.check('sendText');
    this.texts.push(from === undefined ? { to, text } : { to, text, from });
  }

  textsTo(phone: string): string[] {
    return this.texts.filter((t) => t.to === phone).map((t) => t.text);
  }
}

export class FakeEvents implements EventPublisher {
  readonly newSubscribers: NewSubscriberEvent[] = [];
  readonly failures = new FailureScript<keyof EventPublisher>();
  async publishNewSubscriber(event: NewSubscriberEvent): Promise<void> {
    this.failures.check('publishNewSubscriber');
    this.newSubscribers.push(copy(event));
  }
}

type Scripted<T> = T | Error;

/** A provider whose every answer is scripted by the test; it records what it was asked. */
export class FakeProvider implements HealthProvider {
  readonly name = 'google' as const;
  /** Per grant by default, so tests see the replaced grant revoked; Google's whole-authorization revoke is scripted. */
  revocation: 'token' | 'authorization' = 'token';
  readonly authorizationOrigin = 'https://accounts.example.test';
  requiredScope = 'devices.read';

  /** Answers to exchangeCode, by code; anything else is invalid. */
  readonly codes = new Map<string, Scripted<TokenSet>>();
  /** Answers to refresh, in order; the last one repeats. */
  refreshResults: Array<Scripted<TokenSet>> = [];
  profile: Scripted<ProviderProfile> = { userId: 'USER1', timeZone: 'America/New_York' };
  /** Answers to getTimeZone (the daily settings re-read during checks). */
  timeZone: Scripted<{ timeZone?: string }> = { timeZone: 'America/New_York' };
  /** Devices by access token; `devicesFor` is used when the token is not listed. */
  readonly devicesByToken = new Map<string, Scripted<Device[]>>();
  devicesFor: Scripted<Device[]> = [];

  readonly started: string[] = [];
  readonly exchanged: Array<{ code: string; codeVerifier: string; redirectUri: string }> = [];
  readonly refreshed: string[] = [];
  readonly revoked: string[] = [];
  readonly listDevicesCalls: string[] = [];
  readonly timeZoneCalls: string[] = [];
  /** Failures to inject into `revoke` (the attempt is still recorded in `revoked`). */
  readonly failures = new FailureScript<'revoke'>();

  async startAuthorization(redirectUri: string): Promise<AuthorizationStart> {
    this.started.push(redirectUri);
    const state = randomBytes(24).toString('base64url');
    const codeVerifier = randomBytes(32).toString('base64url');
    return { url: `${this.authorizationOrigin}/auth?state=${state}`, state, codeVerifier };
  }

  async exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<TokenSet> {
    this.exchanged.push({ code, codeVerifier, redirectUri });
    return answer(this.codes.get(code) ?? new Error(`unknown code ${code}`));
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    this.refreshed.push(refreshToken);
    const next = this.refreshResults.length > 1 ? this.refreshResults.shift() : this.refreshResults[0];
    return answer(next ?? new Error('no refresh scripted'));
  }

  hasRequiredScope(grantedScope: string): boolean {
    return grantedScope.split(/\s+/).includes(this.requiredScope);
  }

  async getProfile(_accessToken: string): Promise<ProviderProfile> {
    return answer(this.profile);
  }

  async getTimeZone(accessToken: string): Promise<string | undefined> {
    this.timeZoneCalls.push(accessToken);
    return answer(this.timeZone).timeZone;
  }

  async listDevices(accessToken: string): Promise<Device[]> {
    this.listDevicesCalls.push(accessToken);
    return answer(this.devicesByToken.get(accessToken) ?? this.devicesFor);
  }

  async revoke(token: string): Promise<void> {
    this.revoked.push(token);
    this.failures.check('revoke');
  }
}

function answer<T>(scripted: Scripted<T>): T {
  if (scripted instanceof Error) throw scripted;
  return copy(scripted);
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra?: Record<string, unknown>;
}

export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  debug(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'debug', message, extra });
  }
  info(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, extra });
  }
  warn(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, extra });
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, extra });
  }
  /** Everything logged, as one string, to check nothing secret leaked. */
  dump(): string {
    return JSON.stringify(this.entries);
  }
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export const testSettings = (): AppSettings => ({
  defaultCountry: 'US',
  defaultTimeZone: 'America/Chicago',
  allowedCountries: ['US', 'CA'],
  redirectUri: 'https://signup.example.test/oauth/callback',
  signupUrl: 'https://signup.example.test/',
  userTopicPrefix: 'fbs-test-',
  maxConfirmationsPerDay: 3,
  maxNumbersPerAccountPerDay: 3,
  maxRepliesPerHour: 10,
  // The service answers every keyword itself; tests of AWS-managed keywords say so.
  selfManagedOptOuts: true,
});

export interface TestDeps extends Deps {
  /**
   * One in-memory table serving every store port (signups, subscribers, dueSubscribers, phones and
   * inbound all point at it), so tests seed and inspect it in one place.
   */
  store: FakeStore;
  signups: FakeStore;
  subscribers: FakeStore;
  dueSubscribers: FakeStore;
  phones: FakeStore;
  inbound: FakeStore;
  limits: FakeRateLimits;
  provider: FakeProvider;
  messenger: FakeMessenger;
  events: FakeEvents;
  clock: FakeClock;
  logger: RecordingLogger;
  /** What `sleep` was asked to wait, in ms; it never waits. */
  slept: number[];
}

export function makeDeps(overrides: Partial<TestDeps> = {}): TestDeps {
  const slept: number[] = [];
  const store = overrides.store ?? new FakeStore();
  return {
    store,
    signups: store,
    subscribers: store,
    dueSubscribers: store,
    phones: store,
    inbound: store,
    slept,
    sleep: async (ms: number) => {
      slept.push(ms);
    },
    limits: new FakeRateLimits(),
    provider: new FakeProvider(),
    messenger: new FakeMessenger(),
    events: new FakeEvents(),
    clock: new FakeClock(),
    logger: new RecordingLogger(),
    settings: testSettings(),
    ...overrides,
  };
}

// Fixtures: obviously fake values, built fresh per call.

export const PHONE = '+12015550123';
export const OTHER_PHONE = '+12015550188';
export const SERVICE_NUMBER = '+12025550100';

export function tokens(overrides: Partial<TokenSet> = {}): TokenSet {
  return {
    accessToken: 'test-access-1',
    refreshToken: 'test-refresh-1',
    expiresAt: T0 + 3600_000,
    scope: 'devices.read',
    ...overrides,
  };
}

export function aSubscriber(overrides: Partial<Subscriber> = {}): Subscriber {
  const providerUserId = overrides.providerUserId ?? 'USER1';
  return {
    id: `google#${providerUserId}`,
    provider: 'google',
    providerUserId,
    phone: PHONE,
    state: 'active',
    tokens: tokens(),
    timeZone: 'America/New_York',
    version: 1,
    signupId: 'signup-0000-0001',
    threshold: DEFAULT_THRESHOLD,
    quietHours: { ...DEFAULT_QUIET_HOURS },
    devices: {},
    createdAt: T0 - 86_400_000,
    updatedAt: T0 - 86_400_000,
    ...overrides,
  };
}

export function aDevice(overrides: Partial<Device> = {}): Device {
  return {
    id: 'dev-1',
    name: 'Charge 6',
    type: 'TRACKER',
    batteryLevel: 80,
    batteryStatus: 'High',
    ...overrides,
  };
}

/** One request as the fake fetch saw it. */
export interface SeenRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: string;
}

type Reply = (request: SeenRequest, signal?: AbortSignal) => Response | Promise<Response>;

/**
 * A `fetch` for the HTTP adapters: replies are scripted per path (in order, the last repeating) and
 * every request is recorded. Unscripted paths answer 404.
 */
export class FakeFetch {
  readonly requests: SeenRequest[] = [];
  private readonly replies = new Map<string, Reply[]>();

  on(pathname: string, ...replies: Reply[]): this {
    this.replies.set(pathname, replies);
    return this;
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const seen: SeenRequest = {
      url: new URL(request.url),
      method: request.method,
      headers: request.headers,
      body: await request.text(),
    };
    this.requests.push(seen);
    const queue = this.replies.get(seen.url.pathname);
    const reply = queue && (queue.length > 1 ? queue.shift() : queue[0]);
    if (!reply) return new Response('not found', { status: 404 });
    return reply(seen, init?.signal ?? undefined);
  };

  to(pathname: string): SeenRequest[] {
    return this.requests.filter((r) => r.url.pathname === pathname);
  }
}

export const jsonReply =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

export const textReply =
  (status: number, body: string, headers: Record<string, string> = {}): Reply =>
  () =>
    new Response(body, { status, headers: { 'content-type': 'text/html', ...headers } });

/** A transport failure, as undici reports a refused connection. */
export const networkError = (): Reply => () => {
  throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
};

/** Never answers; rejects when the caller's deadline aborts the request. */
export const hang = (): Reply => (_request, signal) =>
  new Promise<Response>((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason));
  });
