/**
 * One checker invocation: a bounded batch of subscribers, checked with bounded concurrency. A check
 * that fails on an AWS call (or a bug) does not stop the others; once all are done the batch throws
 * CheckBatchError, so the invocation fails and Lambda's Errors metric (and its alarm) sees it.
 */
import pLimit from 'p-limit';
import type { CheckSummary } from '../ports';
import { type CheckDeps, type CheckOptions, type CheckOutcome, checkSubscriber } from './check-subscriber';
import { emptySummary } from './dispatch-checks';

/** Some checks of a batch failed; `summary` counts what the batch did, failures included. */
export class CheckBatchError extends AggregateError {
  constructor(
    errors: unknown[],
    readonly summary: CheckSummary,
  ) {
    const names = [...new Set(errors.map((e) => (e instanceof Error ? e.name : 'unknown')))].join(', ');
    super(errors, `${errors.length} check(s) of the batch failed: ${names}`);
    this.name = 'CheckBatchError';
  }
}

export async function checkBatch(
  deps: CheckDeps,
  subscriberIds: string[],
  options: CheckOptions & { concurrency: number },
): Promise<CheckSummary> {
  const limit = pLimit(options.concurrency);
  const summary = emptySummary();
  const errors: unknown[] = [];
  // One batch read instead of a read per subscriber; optimistic locking covers what changes meanwhile.
  const prefetched = await deps.subscribers
    .getSubscribers(subscriberIds, deps.clock.now())
    .catch((error: Error) => {
      deps.logger.warn('batch read failed; reading one by one', { error: error.name });
      return undefined;
    });
  await Promise.all(
    subscriberIds.map((id) =>
      limit(async () => {
        let outcome: CheckOutcome;
        try {
          outcome = await checkSubscriber(deps, id, {
            force: options.force,
            ...(prefetched ? { prefetched: prefetched.get(id) ?? null } : {}),
          });
        } catch (error) {
          errors.push(error);
          outcome = 'failed';
        }
        summary[outcome === 'texted' ? 'texted' : outcome]++;
        if (outcome === 'texted') summary.checked++;
      }),
    ),
  );
  if (errors.length > 0) throw new CheckBatchError(errors, summary);
  return summary;
}
