/**
 * What the use cases are given: the ports, and the few settings they need from configuration. Each
 * use case takes only the ports it uses (`Pick<Deps, ...>`), so each function's wiring (src/functions)
 * builds only those, and its bundle holds only their adapters.
 */
import { emptyPhone, type PhoneRecord } from '../domain/lifecycle';
import type { Subscriber } from '../domain/subscriber';
import type {
  Clock,
  DueSubscribers,
  EventPublisher,
  HealthProvider,
  InboundLedger,
  Logger,
  Messenger,
  PhoneDirectory,
  RateLimits,
  SignupStates,
  Subscribers,
} from '../ports';

export interface AppSettings {
  defaultCountry: string;
  /** The zone quiet hours use when the provider's settings have none. */
  defaultTimeZone: string;
  /** ISO 3166 codes of the countries whose numbers may sign up. */
  allowedCountries: string[];
  /** Where the provider sends the browser back to after consent. */
  redirectUri: string;
  /** The public sign-up page, quoted in texts. */
  signupUrl: string;
  userTopicPrefix: string;
  /** At most this many "reply YES" texts reach one number per UTC day for one account. */
  maxConfirmationsPerDay: number;
  /** One provider account makes the service text at most this many different numbers per UTC day. */
  maxNumbersPerAccountPerDay: number;
  /** Replies to HELP, STATUS and texts we do not understand, per number per hour, in all. */
  maxRepliesPerHour: number;
  /**
   * false (the template's default): AWS End User Messaging answers HELP and the opt-out words itself,
   * with the texts configured on the number, so the service must not answer them a second time.
   */
  selfManagedOptOuts: boolean;
}

export interface Deps {
  signups: SignupStates;
  subscribers: Subscribers;
  dueSubscribers: DueSubscribers;
  phones: PhoneDirectory;
  inbound: InboundLedger;
  limits: RateLimits;
  provider: HealthProvider;
  messenger: Messenger;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  settings: AppSettings;
  /** Waits between retries; tests pass one that does not. */
  sleep: (ms: number) => Promise<void>;
}

/** Deps with only some of the Messenger's operations: what a use case (and its function) sends. */
export type WithMessenger<K extends keyof Deps, M extends keyof Messenger> = Pick<Deps, K> & {
  messenger: Pick<Messenger, M>;
};

/**
 * Some operations of some ports, e.g. `Ops<'subscribers', 'getSubscriber' | 'saveSubscriber'>`: a
 * use case names exactly what it calls, so a function's wiring builds (and bundles) no more.
 */
export type Ops<P extends keyof Deps, M extends keyof Deps[P]> = { [K in P]: Pick<Deps[K], M> };

/** Re-runs `attempt` when it loses an optimistic-lock race, a bounded number of times. */
export async function retryOnConflict<T>(attempt: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof Error && error.name === 'VersionConflictError') || i >= tries) throw error;
    }
  }
}

/**
 * Read-modify-write of a subscriber under the optimistic lock: the one loop every use case goes
 * through. No write when `change` returns the record as it was; undefined when there is none.
 */
export async function updateSubscriber(
  deps: Ops<'subscribers', 'getSubscriber' | 'saveSubscriber'> & Pick<Deps, 'clock'>,
  id: string,
  change: (current: Subscriber) => Subscriber,
): Promise<Subscriber | undefined> {
  return retryOnConflict(async () => {
    const current = await deps.subscribers.getSubscriber(id, deps.clock.now());
    if (!current) return undefined;
    const next = change(current);
    if (next === current) return current;
    return deps.subscribers.saveSubscriber({ ...next, updatedAt: deps.clock.now() });
  });
}

/** The same loop for a phone record (ownership and pending sign-ups of one number). */
export async function updatePhone(
  deps: Pick<Deps, 'phones' | 'clock'>,
  phone: string,
  change: (current: PhoneRecord) => PhoneRecord,
): Promise<PhoneRecord> {
  return retryOnConflict(async () => {
    const now = deps.clock.now();
    const current = (await deps.phones.getPhone(phone, now)) ?? emptyPhone(phone);
    const next = change(current);
    if (next === current) return current;
    return deps.phones.savePhone(next, now);
  });
}
