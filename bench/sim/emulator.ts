/**
 * Minimal in-memory ports for the simulator: a virtual clock, a subscriber store with the real
 * optimistic-lock contract, a provider that replays the traces (each device as of its last sync at or
 * before "now", access tokens that expire after 3600 s) and counts every request, and a messenger that
 * records what was published to which topic and when.
 *
 * Stored records are deep-frozen instead of deep-copied: getSubscriber hands out a fresh top-level
 * object, and any attempt by the code under test to mutate what it read fails loudly (a TypeError,
 * counted as a failed check) rather than silently changing "the database". That keeps the store's
 * semantics at a fraction of structuredClone's cost.
 */
import { InvalidGrantError, TokenRejectedError, VersionConflictError } from '../../src/domain/errors';
import type { Subscriber, TokenSet } from '../../src/domain/subscriber';
import type {
  AuthorizationStart,
  Clock,
  Device,
  EventPublisher,
  HealthProvider,
  Logger,
  Messenger,
  PhoneRecord,
  ProviderProfile,
  SignupState,
  SubscriberStore,
  TopicSubscription,
} from '../../src/ports';
import { type DeviceTrace, type SubscriberTrace, statusForLevel } from './traces';

export const TOKEN_LIFETIME_MS = 3600 * 1000;

const unused = (what: string): never => {
  throw new Error(`${what} is not used by the simulator`);
};

export class SimClock implements Clock {
  current = 0;
  now(): number {
    return this.current;
  }
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

export class SimStore implements SubscriberStore {
  private readonly records = new Map<string, Subscriber>();

  seed(subscriber: Subscriber): void {
    this.records.set(subscriber.id, deepFreeze({ ...subscriber }));
  }

  peek(id: string): Subscriber | undefined {
    return this.records.get(id);
  }

  /** The fixed-interval strategies overwrite the schedule the checker saved. */
  setNextCheckAt(id: string, at: number): void {
    const stored = this.records.get(id);
    if (stored) this.records.set(id, Object.freeze({ ...stored, nextCheckAt: at }));
  }

  async getSubscribers(ids: string[], now: number): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    for (const id of ids) {
      const subscriber = await this.getSubscriber(id, now);
      if (subscriber) found.set(id, subscriber);
    }
    return found;
  }

  async getSubscriber(id: string, now: number): Promise<Subscriber | undefined> {
    const stored = this.records.get(id);
    if (!stored || (stored.expiresAtMs !== undefined && stored.expiresAtMs <= now)) return undefined;
    return { ...stored };
  }

  async saveSubscriber(subscriber: Subscriber): Promise<Subscriber> {
    const stored = this.records.get(subscriber.id);
    // As the table: a new record (version 0) only where none lives, else only at the version read.
    const refused =
      subscriber.version === 0
        ? stored !== undefined &&
          !(stored.expiresAtMs !== undefined && stored.expiresAtMs <= subscriber.updatedAt)
        : stored?.version !== subscriber.version;
    if (refused) throw new VersionConflictError(`subscriber changed since version ${subscriber.version}`);
    const saved = deepFreeze({ ...subscriber, version: subscriber.version + 1 });
    this.records.set(saved.id, saved);
    return { ...saved };
  }

  async deleteSubscriber(id: string): Promise<void> {
    this.records.delete(id);
  }

  async *listDue(now: number, options: { force: boolean; pageSize: number }): AsyncIterable<string[]> {
    let page: string[] = [];
    for (const s of this.records.values()) {
      // As the sparse index: active subscribers' next checks and stopped ones' erase dates.
      if ((s.state !== 'active' && s.state !== 'stopped') || s.nextCheckAt === undefined) continue;
      if (!options.force && s.nextCheckAt > now) continue;
      page.push(s.id);
      if (page.length >= options.pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  putSignupState(_signup: SignupState): Promise<void> {
    return unused('putSignupState');
  }
  consumeSignupState(_state: string, _binding: string, _now: number): Promise<SignupState | undefined> {
    return unused('consumeSignupState');
  }
  getPhone(_phone: string, _now: number): Promise<PhoneRecord | undefined> {
    return unused('getPhone');
  }
  savePhone(_record: PhoneRecord, _now: number): Promise<PhoneRecord> {
    return unused('savePhone');
  }
  claimInboundMessage(_messageId: string, _now: number): Promise<boolean> {
    return unused('claimInboundMessage');
  }
  releaseInboundMessage(_messageId: string): Promise<void> {
    return unused('releaseInboundMessage');
  }
}

/** Index of the last element <= t in an ascending array, or -1. */
export function lastAtOrBefore(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** One device as the provider shows it at `now`: its state as of its last sync at or before then. */
export function deviceAt(trace: DeviceTrace, now: number): Device {
  const device: Device = { id: trace.id, name: trace.name, type: trace.type };
  const i = lastAtOrBefore(trace.syncTimes, now);
  if (i < 0) return device;
  const level = trace.syncLevels[i] as number;
  device.batteryStatus = statusForLevel(level);
  if (trace.reportsLevel) device.batteryLevel = level;
  device.lastSyncTime = new Date(trace.syncTimes[i] as number).toISOString();
  return device;
}

export const refreshTokenFor = (index: number): string => `sim-refresh-${index}`;

/** The Google Health API as the traces tell it; every call is one request. */
export class EmulatedProvider implements HealthProvider {
  readonly name = 'google' as const;
  readonly revocation = 'authorization' as const;
  readonly authorizationOrigin = 'https://accounts.sim.invalid';
  listDevicesCalls = 0;
  settingsCalls = 0;
  refreshCalls = 0;
  rejectedCalls = 0;
  private issued = 0;
  /** Live access tokens by subscriber index: token -> expiry (the latest two are kept). */
  private readonly live = new Map<number, Array<[string, number]>>();

  constructor(
    private readonly traces: readonly SubscriberTrace[],
    private readonly clock: Clock,
  ) {}

  async refresh(refreshToken: string): Promise<TokenSet> {
    this.refreshCalls++;
    const index = Number(refreshToken.slice('sim-refresh-'.length));
    if (!refreshToken.startsWith('sim-refresh-') || !this.traces[index])
      throw new InvalidGrantError('unknown refresh token');
    const expiresAt = this.clock.now() + TOKEN_LIFETIME_MS;
    const accessToken = `sim-access-${index}-${++this.issued}`;
    const previous = this.live.get(index) ?? [];
    this.live.set(index, [...previous.slice(-1), [accessToken, expiresAt]]);
    return { accessToken, refreshToken, expiresAt, scope: 'devices.read' };
  }

  async listDevices(accessToken: string): Promise<Device[]> {
    this.listDevicesCalls++;
    const index = Number(accessToken.split('-')[2]);
    const now = this.clock.now();
    const valid = this.live
      .get(index)
      ?.some(([token, expiresAt]) => token === accessToken && expiresAt > now);
    const trace = this.traces[index];
    if (!valid || !trace) {
      this.rejectedCalls++;
      throw new TokenRejectedError('access token expired or unknown');
    }
    return trace.devices.map((d) => deviceAt(d, now));
  }

  get requests(): number {
    return this.listDevicesCalls + this.refreshCalls + this.settingsCalls;
  }

  startAuthorization(_redirectUri: string): Promise<AuthorizationStart> {
    return unused('startAuthorization');
  }
  exchangeCode(_code: string, _codeVerifier: string, _redirectUri: string): Promise<TokenSet> {
    return unused('exchangeCode');
  }
  hasRequiredScope(grantedScope: string): boolean {
    return grantedScope.split(/\s+/).includes('devices.read');
  }
  getProfile(_accessToken: string): Promise<ProviderProfile> {
    return unused('getProfile');
  }
  /** The daily settings re-read: one more request, the trace's zone. */
  async getTimeZone(accessToken: string): Promise<string | undefined> {
    this.settingsCalls++;
    return this.traces[Number(accessToken.split('-')[2])]?.timeZone;
  }
  revoke(_token: string): Promise<void> {
    return unused('revoke');
  }
}

export interface Published {
  at: number;
  topicArn: string;
  text: string;
}

export class RecordingMessenger implements Messenger {
  readonly published: Published[] = [];
  constructor(private readonly clock: Clock) {}

  async publish(topicArn: string, text: string): Promise<void> {
    this.published.push({ at: this.clock.now(), topicArn, text });
  }
  ensureTopic(_name: string): Promise<string> {
    return unused('ensureTopic');
  }
  subscribeSms(_topicArn: string, _phone: string): Promise<string> {
    return unused('subscribeSms');
  }
  unsubscribe(_subscriptionArn: string): Promise<void> {
    return unused('unsubscribe');
  }
  listSubscriptions(_topicArn: string): Promise<TopicSubscription[]> {
    return unused('listSubscriptions');
  }
  deleteTopic(_topicArn: string): Promise<void> {
    return unused('deleteTopic');
  }
  /** Nobody in the simulation opted out at the carrier (and this is not a provider request). */
  async isOptedOut(_phone: string): Promise<boolean> {
    return false;
  }
  optIn(_phone: string): Promise<void> {
    return unused('optIn');
  }
  sendText(_to: string, _text: string, _from?: string): Promise<void> {
    return unused('sendText');
  }
}

export class NoEvents implements EventPublisher {
  publishNewSubscriber(): Promise<void> {
    return unused('publishNewSubscriber');
  }
}

/** Drops info/debug, counts warnings and errors (a healthy run has none). */
export class CountingLogger implements Logger {
  warnings = 0;
  errors = 0;
  readonly firstErrors: string[] = [];
  debug(): void {}
  info(): void {}
  warn(): void {
    this.warnings++;
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.errors++;
    if (this.firstErrors.length < 5) this.firstErrors.push(`${message} ${JSON.stringify(extra ?? {})}`);
  }
}
