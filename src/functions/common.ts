/**
 * What every function's wiring shares and that touches no AWS SDK: the clock, logger, settings, and
 * endpoint overrides for the local stack. Each src/functions/<function>.ts entry wires its own
 * adapters at module scope (once per container) with static imports, so esbuild bundles only those.
 */
import { createLogger } from '../adapters/logger';
import { allowedCountries, type Config, redirectUri, signupUrl } from '../config';
import type { Deps } from '../usecases/deps';

/** Client options pointing at the local stack when an endpoint is configured; AWS's own otherwise. */
export function clientOptions(config: Pick<Config, 'AWS_REGION'>, endpoint: string | undefined) {
  return { region: config.AWS_REGION, ...(endpoint ? { endpoint } : {}) };
}

export function commonDeps(config: Config): Pick<Deps, 'clock' | 'sleep' | 'logger' | 'settings'> {
  return {
    clock: { now: () => Date.now() },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    logger: createLogger(config.SERVICE),
    settings: {
      defaultCountry: config.DEFAULT_COUNTRY,
      defaultTimeZone: config.DEFAULT_TIME_ZONE,
      allowedCountries: allowedCountries(config),
      redirectUri: redirectUri(config),
      signupUrl: signupUrl(config),
      userTopicPrefix: config.USER_TOPIC_PREFIX,
      maxConfirmationsPerDay: 3,
      maxNumbersPerAccountPerDay: 3,
      maxRepliesPerHour: 10,
      selfManagedOptOuts: config.SELF_MANAGED_OPT_OUTS,
    },
  };
}
