/** One checker invocation: a bounded batch of subscribers, checked with bounded concurrency. */
import pLimit from 'p-limit';
import type { CheckSummary } from '../ports';
import { type CheckOptions, checkSubscriber } from './check-subscriber';
import type { Deps } from './deps';
import { emptySummary } from './dispatch-checks';

export async function checkBatch(
  deps: Deps,
  subscriberIds: string[],
  options: CheckOptions & { concurrency: number },
): Promise<CheckSummary> {
  const limit = pLimit(options.concurrency);
  const summary = emptySummary();
  // One batch read instead of a read per subscriber; optimistic locking covers what changes meanwhile.
  const prefetched = await deps.store
    .getSubscribers(subscriberIds, deps.clock.now())
    .catch((error: Error) => {
      deps.logger.warn('batch read failed; reading one by one', { error: error.name });
      return undefined;
    });
  await Promise.all(
    subscriberIds.map((id) =>
      limit(async () => {
        const outcome = await checkSubscriber(deps, id, {
          force: options.force,
          ...(prefetched ? { prefetched: prefetched.get(id) ?? null } : {}),
        });
        summary[outcome === 'texted' ? 'texted' : outcome]++;
        if (outcome === 'texted') summary.checked++;
      }),
    ),
  );
  return summary;
}
