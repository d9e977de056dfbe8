/**
 * One scheduling strategy run through the real checker: its own store, provider emulator and
 * messenger over the shared traces, driven by a 5-minute dispatcher round on a virtual clock.
 */
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
import type { SubscriberTrace } from './traces';
import { DAY, MINUTE } from './zones';

export type StrategyName = 'adaptive' | 'hourly' | 'halfHourly';

export interface Strategy {
  name: StrategyName;
  /** Fixed polling interval; undefined = the checker's own nextCheckAt. */
  intervalMs?: number;
}

export const STRATEGIES: readonly Strategy[] = [
  { name: 'adaptive' },
  { name: 'hourly', intervalMs: 60 * MINUTE },
  { name: 'halfHourly', intervalMs: 30 * MINUTE },
];

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
  private readonly deps: Deps;

  constructor(
    readonly strategy: Strategy,
    traces: readonly SubscriberTrace[],
    start: number,
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
  }

  /** One dispatcher round at `now`: every subscriber due is checked (force: false). */
  async round(now: number): Promise<void> {
    this.clock.current = now;
    const due: string[] = [];
    for await (const page of this.store.listDue(now, { force: false, pageSize: 1000 })) due.push(...page);
    for (const id of due) {
      this.checks++;
      this.outcomes[await checkSubscriber(this.deps, id, { force: false })]++;
      if (this.strategy.intervalMs !== undefined)
        this.store.setNextCheckAt(id, now + this.strategy.intervalMs);
    }
  }
}
