/**
 * What every function's wiring shares and that touches no AWS SDK: the clock, logger, settings, and
 * endpoint overrides for the local stack. Each src/functions/<function>.ts entry wires its own
 * adapters at module scope (once per container) with static imports, so esbuild bundles only those.
 */
import type { Context } from 'aws-lambda';
import { createLogger, type LambdaLogger } from '../adapters/logger';
import { allowedCountries, type Config, redirectUri, signupUrl } from '../config';
import type { Deps } from '../usecases/deps';

/** Client options pointing at the local stack when an endpoint is configured; AWS's own otherwise. */
export function clientOptions(config: Pick<Config, 'AWS_REGION'>, endpoint: string | undefined) {
  return { region: config.AWS_REGION, ...(endpoint ? { endpoint } : {}) };
}

/**
 * Every function's entry: `export const handler = withLambdaContext(logger, makeXHandler(...))`. Before
 * each invocation the logger takes the Lambda context (Powertools' addContext, its documented manual
 * instrumentation), so every line the handler logs carries function_request_id, cold_start and the
 * function's name, ARN and memory. Powertools' injectLambdaContext does the same through Middy or a
 * class method decorator; our handlers are plain functions built by factories, so this is the fit.
 */
export function withLambdaContext<E, R>(
  logger: Pick<LambdaLogger, 'startInvocation'>,
  handler: (event: E) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return (event, context) => {
    logger.startInvocation(context);
    return handler(event);
  };
}

export function commonDeps(
  config: Config,
): Pick<Deps, 'clock' | 'sleep' | 'settings'> & { logger: LambdaLogger } {
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
