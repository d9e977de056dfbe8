/**
 * The scheduled dispatcher. Invoked by the schedule (an EventBridge event) or by an operator with
 * `{"force": true}` to check every active subscriber now. Logs one summary per round and metrics.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CheckDispatcher, Clock, DueSubscribers, Logger } from '../ports';
import { dispatchChecks, type RoundSummary } from '../usecases/dispatch-checks';

export interface PollDeps {
  dueSubscribers: DueSubscribers;
  dispatcher: CheckDispatcher;
  clock: Clock;
  logger: Logger;
  metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
}

export function makePollBatteriesHandler(
  deps: PollDeps,
  options: { batchSize: number; parallelism: number },
) {
  return async (event: unknown): Promise<RoundSummary> => {
    const force = (event as { force?: unknown } | null)?.force === true;
    const summary = await dispatchChecks(deps, { force, ...options });
    deps.logger.info('round complete', { force, ...summary });
    for (const key of ['due', 'checked', 'texted', 'deferred', 'failed'] as const) {
      deps.metrics.addMetric(`Round${key[0]?.toUpperCase()}${key.slice(1)}`, MetricUnit.Count, summary[key]);
    }
    deps.metrics.publishStoredMetrics();
    return summary;
  };
}
