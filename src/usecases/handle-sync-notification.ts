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
import { scheduleEarlyCheck } from '../domain/lifecycle';
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

export async function handleSyncNotification(
  deps: SyncNotificationDeps,
  notification: SyncNotification,
  options: { debounceMs: number },
): Promise<SyncOutcome> {
  if (notification.operation !== undefined && notification.operation !== 'UPSERT') return 'ignored';
  const id = subscriberId('google', notification.healthUserId);
  let outcome: SyncOutcome = 'not_opted_in';
  let checkNow = false;
  await updateSubscriber(deps, id, (current) => {
    const now = deps.clock.now();
    checkNow = false;
    outcome = 'not_opted_in';
    if (current.state !== 'active' || current.fasterAlerts !== true) return current;
    const decision = earlyCheckDecision({
      devices: current.devices,
      dataType: notification.dataType,
      lastEarlyCheckAt: current.lastEarlyCheckAt,
      pendingEarlyCheckAt: current.pendingEarlyCheckAt,
      now,
      settings: { ...DEFAULT_EARLY_CHECK, debounceMs: options.debounceMs, threshold: current.threshold },
    });
    if (!decision.due) {
      outcome = 'nothing_to_learn';
      return current;
    }
    outcome = decision.checkAt <= now ? 'queued' : 'debounced';
    checkNow = outcome === 'queued';
    return scheduleEarlyCheck(current, decision.checkAt, decision.next).next;
  });
  if (checkNow) {
    try {
      await deps.checks.enqueue([id]);
    } catch (error) {
      // The subscriber is already due now: the next scheduled round checks them instead.
      deps.logger.warn('early check not queued; the next round will check', {
        subscriberId: id,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
  deps.logger.info('sync notification', { subscriberId: id, dataType: notification.dataType, outcome });
  return outcome;
}
