/**
 * A round of battery checks: finds the subscribers that are due (all active ones when forced) and
 * hands them to checkers in bounded batches with bounded parallelism, then reports one summary.
 */
import pLimit from 'p-limit';
import type { CheckDispatcher, CheckSummary, Clock, DueSubscribers, Logger } from '../ports';

export interface RoundOptions {
  force: boolean;
  /** Most subscribers one checker invocation handles. */
  batchSize: number;
  /** Checker invocations in flight at once. */
  parallelism: number;
}

export interface RoundSummary extends CheckSummary {
  due: number;
  batches: number;
  durationMs: number;
}

export const emptySummary = (): CheckSummary => ({
  checked: 0,
  texted: 0,
  deferred: 0,
  failed: 0,
  skipped: 0,
});

export function addSummary(into: CheckSummary, more: CheckSummary): void {
  into.checked += more.checked;
  into.texted += more.texted;
  into.deferred += more.deferred;
  into.failed += more.failed;
  into.skipped += more.skipped;
}

export async function dispatchChecks(
  deps: { dueSubscribers: DueSubscribers; dispatcher: CheckDispatcher; clock: Clock; logger: Logger },
  options: RoundOptions,
): Promise<RoundSummary> {
  const started = deps.clock.now();
  const limit = pLimit(options.parallelism);
  const totals = emptySummary();
  const running: Promise<void>[] = [];
  let due = 0;
  let batches = 0;
  for await (const page of deps.dueSubscribers.listDue(started, {
    force: options.force,
    pageSize: options.batchSize,
  })) {
    for (let i = 0; i < page.length; i += options.batchSize) {
      const batch = page.slice(i, i + options.batchSize);
      due += batch.length;
      batches++;
      running.push(
        limit(async () => {
          try {
            addSummary(totals, await deps.dispatcher.check(batch, options.force));
          } catch (error) {
            // A lost batch stays due and is picked up by the next round.
            totals.failed += batch.length;
            deps.logger.error('checker invocation failed', {
              size: batch.length,
              error: (error as Error).name,
            });
          }
        }),
      );
    }
  }
  await Promise.all(running);
  return { ...totals, due, batches, durationMs: deps.clock.now() - started };
}
