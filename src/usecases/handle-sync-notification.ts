/**
 * A sync notification (a Google Health webhook saying new steps or weight arrived for a person):
 * makes that person due for an early battery check when they opted in to faster alerts and the check
 * could change something, at most once per debounce period, then queues the check. The check itself
 * is the ordinary one (check-subscriber.ts), so quiet hours, snoozes and one text per low episode hold.
 *
 * Replays and Google's retries of the same notification are absorbed by the debounce: within the
 * period a repeat only keeps the one check already scheduled; nothing is ever texted twice, because
 * the check's own episode memory decides texts, not the notification.
 */
import { DEFAULT_EARLY_CHECK, earlyCheckDecision } from '../domain/early-check';
import { noteNotification, scheduleEarlyCheck } from '../domain/lifecycle';
import { subscriberId } from '../domain/subscriber';
import type { CheckQueue } from '../ports';
import { type Deps, type Ops, updateSubscriber } from './deps';

export type SyncNotificationDeps = Pick<Deps, 'clock' | 'logger'> &
  Ops<'subscribers', 'getSubscriber' | 'saveSubscriber'> & { checks: CheckQueue };

export interface SyncNotification {
  /** Google's `healthUserId`: the `{user}` of users/me/identity, which subscriber ids are built on. */
  healthUserId: string;
  dataType: string;
  /** `UPSERT` (new or changed data) or `DELETE`; absent is taken as UPSERT. */
  operation?: string;
}

export type SyncOutcome =
  /** Checked now: the check is queued. */
  | 'queued'
  /** An early check ran within the debounce period: one more is scheduled at its end, or already was. */
  | 'debounced'
  /** Unknown person, not active, or not opted in (or the scope was unticked): nothing changes. */
  | 'not_opted_in'
  /** A check could change nothing (well charged and recently seen, no such device, not a sync). */
  | 'nothing_to_learn'
  /** Data deleted is not a sync. */
  | 'ignored';

/** What became of one batch: each notification's outcome, and whether Google should send it again. */
export interface SyncBatchResult {
  /** In the batch's order; `failed` when that one notification could not be handled. */
  outcomes: Array<SyncOutcome | 'failed'>;
  /** A temporary failure happened (storage unavailable): answer 500 so Google delivers the batch again. */
  retry: boolean;
}

/**
 * Failures that a redelivery cannot cure: a stored record the domain cannot read (fixed by hand), or
 * an optimistic lock lost on every try (the record is busy; its own writer's check covers it). The
 * person's ordinary schedule still checks them, so dropping the early signal loses nothing.
 */
const PERMANENT_FAILURES = new Set(['UnreadableRecordError', 'VersionConflictError']);

/**
 * Handles every notification of a batch on its own, so one bad record never holds back the others,
 * then queues the checks that are due now in one call.
 */
export async function handleSyncNotifications(
  deps: SyncNotificationDeps,
  notifications: readonly SyncNotification[],
  options: { debounceMs: number },
): Promise<SyncBatchResult> {
  const outcomes: SyncBatchResult['outcomes'] = [];
  const due = new Set<string>();
  let retry = false;
  for (const notification of notifications) {
    const id = subscriberId('google', notification.healthUserId);
    try {
      const outcome = await decide(deps, id, notification, options);
      if (outcome === 'queued') due.add(id);
      outcomes.push(outcome);
      deps.logger.info('sync notification', { subscriberId: id, dataType: notification.dataType, outcome });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'unknown';
      const permanent = PERMANENT_FAILURES.has(name);
      retry ||= !permanent;
      outcomes.push('failed');
      deps.logger.error('sync notification failed', { subscriberId: id, error: name, permanent });
    }
  }
  if (due.size > 0) await enqueue(deps, [...due]);
  return { outcomes, retry };
}

async function enqueue(deps: SyncNotificationDeps, ids: string[]): Promise<void> {
  try {
    await deps.checks.enqueue(ids);
  } catch (error) {
    // These subscribers are already due now: the next scheduled round checks them instead.
    deps.logger.warn('early checks not queued; the next round will check', {
      count: ids.length,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

/** Schedules one notification's early check when it is due; the outcome says what was decided. */
async function decide(
  deps: SyncNotificationDeps,
  id: string,
  notification: SyncNotification,
  options: { debounceMs: number },
): Promise<SyncOutcome> {
  if (notification.operation !== undefined && notification.operation !== 'UPSERT') return 'ignored';
  let outcome: SyncOutcome = 'not_opted_in';
  await updateSubscriber(deps, id, (current) => {
    const now = deps.clock.now();
    outcome = 'not_opted_in';
    if (current.state !== 'active' || current.fasterAlerts !== true) return current;
    const seen = noteNotification(current, now);
    const decision = earlyCheckDecision({
      devices: current.devices,
      lastCheckedAt: current.lastCheckedAt,
      dataType: notification.dataType,
      lastEarlyCheckAt: current.lastEarlyCheckAt,
      pendingEarlyCheckAt: current.pendingEarlyCheckAt,
      now,
      settings: { ...DEFAULT_EARLY_CHECK, debounceMs: options.debounceMs, threshold: current.threshold },
    });
    if (!decision.due) {
      outcome = 'nothing_to_learn';
      return seen;
    }
    outcome = decision.checkAt <= now ? 'queued' : 'debounced';
    return scheduleEarlyCheck(seen, decision.checkAt, decision.next).next;
  });
  return outcome;
}
