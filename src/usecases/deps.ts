/** What the use cases are given: the ports, and the few settings they need from configuration. */
import type { Clock, EventPublisher, HealthProvider, Logger, Messenger, SubscriberStore } from '../ports';

export interface AppSettings {
  defaultCountry: string;
  /** Where the provider sends the browser back to after consent. */
  redirectUri: string;
  /** The public sign-up page, quoted in texts. */
  signupUrl: string;
  userTopicPrefix: string;
  /** At most this many "reply YES" texts reach one number per UTC day, whatever the sign-up traffic. */
  maxConfirmationsPerDay: number;
}

export interface Deps {
  store: SubscriberStore;
  provider: HealthProvider;
  messenger: Messenger;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  settings: AppSettings;
  /** Waits between retries; tests pass one that does not. */
  sleep: (ms: number) => Promise<void>;
}

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
