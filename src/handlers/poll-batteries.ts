/**
 * The scheduled dispatcher. Invoked by the schedule (an EventBridge event) or by an operator with
 * `{"force": true}` to check every active subscriber now. Logs one summary per round and metrics.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { buildDispatcher, config, deps } from '../composition';
import { dispatchChecks, type RoundSummary } from '../usecases/dispatch-checks';

const dispatcher = buildDispatcher(config);
const metrics = new Metrics({ namespace: 'FitbitBatterySms', serviceName: config.SERVICE });

export async function handler(event: unknown): Promise<RoundSummary> {
  const force = (event as { force?: unknown } | null)?.force === true;
  const summary = await dispatchChecks(
    { store: deps.store, dispatcher, clock: deps.clock, logger: deps.logger },
    { force, batchSize: config.CHECK_BATCH_SIZE, parallelism: config.CHECK_PARALLELISM },
  );
  deps.logger.info('round complete', { force, ...summary });
  for (const key of ['due', 'checked', 'texted', 'deferred', 'failed'] as const) {
    metrics.addMetric(`Round${key[0]?.toUpperCase()}${key.slice(1)}`, MetricUnit.Count, summary[key]);
  }
  metrics.publishStoredMetrics();
  return summary;
}
