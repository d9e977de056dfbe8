/**
 * One scheduling strategy run through the real checker: its own store, provider emulator and
 * messenger over the shared traces, driven by a 5-minute dispatcher round on a virtual clock.
 *
 * "adaptive + webhooks" adds Google Health sync notifications for every subscriber (all opted in):
 * each trace sync of a tracker (steps) or scale (weight) arrives as a notification after a random
 * delay; the product's own decision (src/domain/early-check.ts) says whether it makes the subscriber
 * due, and when; a due-now subscriber is checked at once, at the notification's arrival time; after
 * every check the schedule is relaxed (relaxedNextCheckAt), as the product does for opted-in people.
 */
import {
  DEFAULT_EARLY_CHECK,
  DEFAULT_RELAX,
  type EarlyCheckSettings,
  earlyCheckDecision,
  type RelaxSettings,
  relaxedNextCheckAt,
} from '../../src/domain/early-check';
import { type CheckOutcome, checkSubscriber } from '../../src/usecases/check-subscriber';
import type { Deps } from '../../src/usecases/deps';
import {
  CountingLogger,
  EmulatedProvider,
  NoEvents,
  RecordingMessenger,
  refreshTokenFor,
  SimClock,
  SimStore,
} from './emulator';
import { Rng, streamSeed } from './rng';
import type { SubscriberTrace } from './traces';
import { DAY, HOUR, MINUTE } from './zones';

export type StrategyName = 'adaptive' | 'hourly' | 'halfHourly' | 'adaptiveWebhooks' | 'adaptiveWebhooks15';

export interface Strategy {
  name: StrategyName;
  /** What the tables call it. */
  label: string;
  /** Fixed polling interval; undefined = the checker's own nextCheckAt. */
  intervalMs?: number;
  /** Sync notifications drive early checks, and the schedule relaxes. */
  webhooks?: boolean;
  /** Overrides of the product's defaults, for exploring the trade (none in the published run). */
  earlyCheck?: Partial<Omit<EarlyCheckSettings, 'threshold'>>;
  relax?: RelaxSettings;
}

export const STRATEGIES: readonly Strategy[] = [
  { name: 'adaptive', label: 'adaptive' },
  { name: 'adaptiveWebhooks', label: 'adaptive + webhooks', webhooks: true },
  // The default debounce is 30 min; the same with 15 min shows what the period costs.
  {
    name: 'adaptiveWebhooks15',
    label: '+ webhooks, 15-min debounce',
    webhooks: true,
    earlyCheck: { debounceMs: 15 * MINUTE },
  },
  { name: 'hourly', label: 'hourly', intervalMs: 60 * MINUTE },
  { name: 'halfHourly', label: 'halfHourly', intervalMs: 30 * MINUTE },
];

/**
 * How late a notification arrives after the sync that caused it: log-normal, median 1 minute,
 * sigma 1.4 (p95 about 10 minutes), capped at 2 hours; 1 % never arrive (retries exhausted, an
 * outage). Google publishes no delivery-delay figures: this is an assumption, stated in the output.
 */
export const NOTIFICATION_DELAY = { medianMs: MINUTE, sigma: 1.4, capMs: 2 * HOUR, lost: 0.01 };

interface Notification {
  at: number;
  index: number;
  dataType: 'steps' | 'weight';
}

/** Every notification the traces' syncs inside [from, to) cause, in arrival order. */
function notificationsFor(traces: readonly SubscriberTrace[], from: number, to: number, seed: number) {
  const out: Notification[] = [];
  let lost = 0;
  for (const trace of traces) {
    const rng = new Rng(streamSeed(seed ^ 0x5eed, trace.index));
    for (const device of trace.devices) {
      const dataType = device.type === 'SCALE' ? 'weight' : 'steps';
      for (const sync of device.syncTimes) {
        if (sync < from || sync >= to) continue;
        const delay = Math.min(
          rng.logNormal(NOTIFICATION_DELAY.medianMs, NOTIFICATION_DELAY.sigma),
          NOTIFICATION_DELAY.capMs,
        );
        if (rng.chance(NOTIFICATION_DELAY.lost)) lost++;
        else out.push({ at: sync + delay, index: trace.index, dataType });
      }
    }
  }
  out.sort((a, b) => a.at - b.at);
  return { notifications: out, lost };
}

export const TICK_MS = 5 * MINUTE;
export const THRESHOLD = 20;

export const topicArnFor = (index: number): string => `arn:aws:sns:us-east-1:000000000000:fbs-sim-${index}`;

export class StrategyRun {
  readonly clock = new SimClock();
  readonly store = new SimStore();
  readonly provider: EmulatedProvider;
  readonly messenger: RecordingMessenger;
  readonly logger = new CountingLogger();
  readonly outcomes: Record<CheckOutcome, number> = {
    checked: 0,
    texted: 0,
    deferred: 0,
    failed: 0,
    skipped: 0,
  };
  checks = 0;
  /** Webhooks only: notifications received / lost, early checks run at once / deferred. */
  readonly webhookStats = { received: 0, lost: 0, earlyNow: 0, deferred: 0, ignored: 0 };
  private readonly deps: Deps;
  private notifications: Notification[] = [];
  private nextNotification = 0;
  /** What the product stores per opted-in subscriber: its last immediate early check, and a scheduled one. */
  private readonly lastEarlyCheckAt = new Map<string, number>();
  private readonly pendingEarlyCheckAt = new Map<string, number>();

  constructor(
    readonly strategy: Strategy,
    traces: readonly SubscriberTrace[],
    start: number,
    window?: { end: number; seed: number },
  ) {
    this.clock.current = start;
    this.provider = new EmulatedProvider(traces, this.clock);
    this.messenger = new RecordingMessenger(this.clock);
    this.deps = {
      signups: this.store,
      subscribers: this.store,
      dueSubscribers: this.store,
      phones: this.store,
      inbound: this.store,
      limits: {
        take: () => Promise.reject(new Error('the simulation sends no replies')),
        cooldown: () => Promise.reject(new Error('the simulation sends no replies')),
        takeDistinct: () => Promise.reject(new Error('the simulation takes no sign-ups')),
      },
      provider: this.provider,
      messenger: this.messenger,
      events: new NoEvents(),
      clock: this.clock,
      logger: this.logger,
      settings: {
        defaultCountry: 'US',
        defaultTimeZone: 'America/New_York',
        redirectUri: 'https://signup.sim.invalid/oauth/callback',
        signupUrl: 'https://signup.sim.invalid/',
        userTopicPrefix: 'fbs-sim-',
        maxConfirmationsPerDay: 3,
        allowedCountries: ['US', 'CA'],
        maxNumbersPerAccountPerDay: 3,
        maxRepliesPerHour: 10,
        selfManagedOptOuts: false,
      },
      sleep: async () => undefined,
    };
    for (const trace of traces) {
      const i = trace.index;
      this.store.seed({
        id: `google#sim-user-${i}`,
        provider: 'google',
        providerUserId: `sim-user-${i}`,
        phone: `+4477009${String(i).padStart(5, '0')}`,
        state: 'active',
        tokens: {
          accessToken: `sim-access-${i}-0`,
          refreshToken: refreshTokenFor(i),
          expiresAt: start,
          scope: 'devices.read',
        },
        timeZone: trace.timeZone,
        version: 1,
        signupId: `sim-signup-${i}`,
        topicArn: topicArnFor(i),
        subscriptionArn: `${topicArnFor(i)}:sub-1`,
        threshold: THRESHOLD,
        quietHours: { start: 22, end: 7 },
        devices: {},
        nextCheckAt: start,
        createdAt: start - DAY,
        updatedAt: start - DAY,
      });
    }
    if (strategy.webhooks && window) {
      const made = notificationsFor(traces, start, window.end, window.seed);
      this.notifications = made.notifications;
      this.webhookStats.lost = made.lost;
    }
  }

  private async check(id: string, now: number): Promise<void> {
    this.checks++;
    const outcome = await checkSubscriber(this.deps, id, { force: false });
    this.outcomes[outcome]++;
    if (this.strategy.intervalMs !== undefined) this.store.setNextCheckAt(id, now + this.strategy.intervalMs);
    const next = this.store.peek(id)?.nextCheckAt;
    if (this.strategy.webhooks && (outcome === 'checked' || outcome === 'texted') && next !== undefined)
      this.store.setNextCheckAt(id, relaxedNextCheckAt(now, next, this.strategy.relax ?? DEFAULT_RELAX));
  }

  /** A notification arriving at `n.at`: the product's decision, then an early check or a deferral. */
  private async receive(n: Notification): Promise<void> {
    this.clock.current = n.at;
    this.webhookStats.received++;
    const id = `google#sim-user-${n.index}`;
    const subscriber = this.store.peek(id);
    if (subscriber?.state !== 'active') return;
    const decision = earlyCheckDecision({
      devices: subscriber.devices,
      lastCheckedAt: subscriber.lastCheckedAt,
      dataType: n.dataType,
      lastEarlyCheckAt: this.lastEarlyCheckAt.get(id),
      pendingEarlyCheckAt: this.pendingEarlyCheckAt.get(id),
      now: n.at,
      settings: { ...DEFAULT_EARLY_CHECK, ...this.strategy.earlyCheck, threshold: subscriber.threshold },
    });
    if (!decision.due) {
      this.webhookStats.ignored++;
      return;
    }
    const store = (key: 'lastEarlyCheckAt' | 'pendingEarlyCheckAt', value: number | undefined) => {
      if (value === undefined) this[key].delete(id);
      else this[key].set(id, value);
    };
    const wasPending = this.pendingEarlyCheckAt.get(id);
    store('lastEarlyCheckAt', decision.next.lastEarlyCheckAt);
    store('pendingEarlyCheckAt', decision.next.pendingEarlyCheckAt);
    if (decision.checkAt <= n.at) {
      this.webhookStats.earlyNow++;
      this.store.setNextCheckAt(id, n.at);
      await this.check(id, n.at);
      return;
    }
    if (decision.checkAt !== wasPending) this.webhookStats.deferred++;
    if (subscriber.nextCheckAt === undefined || decision.checkAt < subscriber.nextCheckAt)
      this.store.setNextCheckAt(id, decision.checkAt);
  }

  /**
   * One dispatcher round at `now`: every subscriber due is checked (force: false); then, for the
   * webhooks strategy, the notifications arriving before the next round, each at its own time.
   */
  async round(now: number): Promise<void> {
    this.clock.current = now;
    const due: string[] = [];
    for await (const page of this.store.listDue(now, { force: false, pageSize: 1000 })) due.push(...page);
    for (const id of due) await this.check(id, now);
    while (this.nextNotification < this.notifications.length) {
      const n = this.notifications[this.nextNotification] as Notification;
      if (n.at >= now + TICK_MS) break;
      this.nextNotification++;
      await this.receive(n);
    }
  }
}
