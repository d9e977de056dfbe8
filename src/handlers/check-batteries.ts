/** The checker: `{"subscriberIds": [...], "force"?: true}` from the dispatcher; returns what it did. */
import * as z from 'zod/mini';
import type { CheckSummary } from '../ports';
import { CheckBatchError, checkBatch } from '../usecases/check-batch';
import type { CheckDeps } from '../usecases/check-subscriber';
import { emptySummary } from '../usecases/dispatch-checks';

const batch = z.object({
  subscriberIds: z.array(z.string().check(z.minLength(3), z.maxLength(200))).check(z.maxLength(500)),
  force: z.optional(z.boolean()),
});

export function makeCheckBatteriesHandler(deps: CheckDeps, options: { concurrency: number }) {
  return async (event: unknown): Promise<CheckSummary> => {
    const parsed = batch.safeParse(event);
    if (!parsed.success) {
      deps.logger.warn('dropped a malformed check batch');
      return emptySummary();
    }
    const size = parsed.data.subscriberIds.length;
    try {
      const summary = await checkBatch(deps, parsed.data.subscriberIds, {
        force: parsed.data.force ?? false,
        concurrency: options.concurrency,
      });
      deps.logger.info('batch checked', { size, ...summary });
      return summary;
    } catch (error) {
      // Thrown on: the invocation fails, so the error metric and alarm see the refused AWS call.
      if (error instanceof CheckBatchError)
        deps.logger.error('batch checked with failures', { size, ...error.summary });
      throw error;
    }
  };
}
