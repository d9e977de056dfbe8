/** The checker: `{"subscriberIds": [...], "force"?: true}` from the dispatcher; returns what it did. */
import { z } from 'zod';
import { config, deps } from '../composition';
import type { CheckSummary } from '../ports';
import { checkBatch } from '../usecases/check-batch';
import { emptySummary } from '../usecases/dispatch-checks';

const batch = z.object({
  subscriberIds: z.array(z.string().min(3).max(200)).max(500),
  force: z.boolean().optional(),
});

export async function handler(event: unknown): Promise<CheckSummary> {
  const parsed = batch.safeParse(event);
  if (!parsed.success) {
    deps.logger.warn('dropped a malformed check batch');
    return emptySummary();
  }
  const summary = await checkBatch(deps, parsed.data.subscriberIds, {
    force: parsed.data.force ?? false,
    concurrency: config.CHECK_CONCURRENCY,
  });
  deps.logger.info('batch checked', { size: parsed.data.subscriberIds.length, ...summary });
  return summary;
}
