/**
 * One subscriber's battery check: read every device (fresh token, bounded retries), apply the
 * policy, remember what was decided under the optimistic lock, then text through their topic.
 * A provider fault (429, 5xx, timeout, ...) defers this subscriber. Anything else (a refused or
 * failed AWS call, a bug) is logged and thrown, after putting back what it can, so the batch
 * (checkBatch) can finish the others and then fail the invocation where the error alarm sees it.
 */
import {
  type Alert,
  DEFAULT_POLICY,
  type Evaluation,
  evaluate,
  type PolicySettings,
} from '../domain/battery-policy';
import { DEFAULT_RELAX, notificationsArriving, relaxedNextCheckAt } from '../domain/early-check';
import {
  AccountNotLinkedError,
  InvalidGrantError,
  MalformedResponseError,
  ProviderRefusedError,
  ProviderRetiredError,
  ProviderUnavailableError,
  RateLimitedError,
  TokenRejectedError,
  TopicNotFoundError,
  UnreadableRecordError,
  VersionConflictError,
} from '../domain/errors';
import { endSnooze, keepEndedSnooze, needsReconsent, stop } from '../domain/lifecycle';
import { texts } from '../domain/messages';
import { isQuiet, isValidTimeZone } from '../domain/quiet-hours';
import type { Subscriber } from '../domain/subscriber';
import type { Device } from '../ports';
import { withAccessToken } from './access-token';
import { type Ops, retryOnConflict, updateSubscriber, type WithMessenger } from './deps';
import { eraseSubscriber } from './erase-subscriber';
import { ensureTopicFor } from './provision-topic';

/** What a check needs: the subscriber records, the phone directory (to erase), and alerts by topic. */
export type CheckDeps = WithMessenger<
  'subscribers' | 'provider' | 'clock' | 'logger' | 'settings' | 'sleep',
  // ensureTopic, listSubscriptions, subscribeSms: a topic deleted by hand is made again (with only
  // the confirmed phone) before an alert.
  | 'isOptedOut'
  | 'publish'
  | 'unsubscribe'
  | 'deleteTopic'
  | 'ensureTopic'
  | 'subscribeSms'
  | 'listSubscriptions'
> &
  Ops<'phones', 'getPhone' | 'savePhone'>;

export type CheckOutcome = 'checked' | 'texted' | 'deferred' | 'failed' | 'skipped';

export interface CheckOptions {
  /** Check even if the subscriber is not due yet (an operator's `{"force": true}` round). */
  force?: boolean;
  /** The record as a batch read it just now (null: not found), saving a read per subscriber. */
  prefetched?: Subscriber | null;
}

const MINUTE = 60_000;
/** Transient provider faults are retried this many times within one check, then deferred. */
const PROVIDER_RETRIES = 2;
const RETRY_BASE_MS = 300;
const DEFER_BASE_MS = 15 * MINUTE;
const DEFER_MAX_MS = 6 * 60 * MINUTE;
const DAY = 24 * 60 * MINUTE;
/** The provider's time zone setting is read again at most this often (people travel and move). */
export const TIME_ZONE_REREAD_MS = DAY;
/** A grant for a limited time: the person is told this long before it lapses. */
export const GRANT_NOTICE_MS = 3 * DAY;

export function policySettings(subscriber: Subscriber): PolicySettings {
  return {
    ...DEFAULT_POLICY,
    threshold: subscriber.threshold,
    quietHours: subscriber.quietHours,
    timeZone: subscriber.timeZone,
    snoozeUntil: subscriber.snoozeUntil,
  };
}

export async function checkSubscriber(
  deps: CheckDeps,
  id: string,
  options: CheckOptions = {},
): Promise<CheckOutcome> {
  const { subscribers, clock, logger } = deps;
  let subscriber: Subscriber | undefined;
  try {
    subscriber =
      options.prefetched !== undefined
        ? (options.prefetched ?? undefined)
        : await subscribers.getSubscriber(id, clock.now());
    if (
      subscriber?.state === 'stopped' &&
      subscriber.nextCheckAt !== undefined &&
      subscriber.nextCheckAt <= clock.now()
    ) {
      // Stopped for 30 days: nothing of theirs is kept any longer.
      await eraseSubscriber(deps, subscriber);
      return 'skipped';
    }
    if (subscriber?.state !== 'active') return 'skipped';
    if (!options.force && subscriber.nextCheckAt !== undefined && subscriber.nextCheckAt > clock.now())
      return 'skipped';

    let devices: Device[];
    let zone: string | undefined;
    try {
      const read = await readDevices(deps, subscriber);
      devices = read.value.devices;
      zone = read.value.zone;
      subscriber = read.subscriber;
    } catch (error) {
      return await onProviderError(deps, subscriber, error);
    }
    if (zone !== undefined) subscriber = withZone(subscriber, zone, clock.now());
    // Before anything is recorded as sent: can a text reach this person at all?
    const due =
      evaluate(subscriber.devices, devices, clock.now(), policySettings(subscriber)).alerts.length > 0;
    if (due && !subscriber.topicArn) {
      logger.error('active subscriber without a topic', { subscriberId: subscriber.id });
      return 'failed';
    }
    if (due && (await deps.messenger.isOptedOut(subscriber.phone))) {
      await stopOptedOut(deps, subscriber);
      return 'skipped';
    }
    const { saved, before, evaluation } = await decide(deps, subscriber, devices, zone);
    if (!saved || !before) return 'skipped';
    const told = await noticeGrantEnding(deps, saved);
    if (evaluation.alerts.length === 0) return told ? 'texted' : 'checked';
    return await send(deps, saved, before, evaluation);
  } catch (error) {
    logger.error('check failed', {
      subscriberId: id,
      error: error instanceof Error ? error.name : 'unknown',
      // Which fields of a stored record are malformed (the message names fields, never values).
      ...(error instanceof UnreadableRecordError ? { detail: error.message } : {}),
    });
    throw error;
  }
}

/** Opted out at the carrier (STOP sent straight to AWS): SNS would drop every text. Stop trying. */
async function stopOptedOut(deps: CheckDeps, subscriber: Subscriber): Promise<void> {
  deps.logger.warn('number is on the opt-out list; subscriber stopped', { subscriberId: subscriber.id });
  await updateSubscriber(deps, subscriber.id, (current) =>
    current.state === 'active' ? stop(current, deps.clock.now()).next : current,
  );
}

/** The zone the provider gave (or the deployment's default when it gave none), as read now. */
function withZone(subscriber: Subscriber, zone: string, now: number): Subscriber {
  return { ...subscriber, timeZone: zone, timeZoneCheckedAt: now };
}

/**
 * Devices, and once a day the time zone setting too, with the same access token: the re-read costs
 * one GET and never a token refresh of its own. A failed re-read is tried again on the next check.
 * `zone` is set only when the setting was read (the default when Google has none).
 */
async function readDevices(deps: CheckDeps, subscriber: Subscriber) {
  const rereadZone =
    deps.clock.now() - (subscriber.timeZoneCheckedAt ?? subscriber.createdAt) >= TIME_ZONE_REREAD_MS;
  const read = async (token: string) => {
    const devices = await deps.provider.listDevices(token);
    if (!rereadZone) return { devices, zone: undefined };
    try {
      const found = await deps.provider.getTimeZone(token);
      return {
        devices,
        zone: found && isValidTimeZone(found) ? found : deps.settings.defaultTimeZone,
      };
    } catch (error) {
      if (error instanceof AccountNotLinkedError || error instanceof InvalidGrantError) throw error;
      deps.logger.warn('time zone setting not read; kept the last one', {
        subscriberId: subscriber.id,
        error: error instanceof Error ? error.name : 'unknown',
      });
      return { devices, zone: undefined };
    }
  };
  for (let attempt = 0; ; attempt++) {
    try {
      return await withAccessToken(deps, subscriber, read);
    } catch (error) {
      if (!(error instanceof ProviderUnavailableError) || attempt >= PROVIDER_RETRIES) throw error;
      // Full jitter: spreads retries from many checkers hitting the same outage.
      await deps.sleep(Math.random() * RETRY_BASE_MS * 2 ** attempt);
    }
  }
}

/** Evaluates against the latest record; on a lost race, re-reads and evaluates again. */
async function decide(
  deps: CheckDeps,
  read: Subscriber,
  devices: Device[],
  zone: string | undefined,
): Promise<{ saved?: Subscriber; before?: Subscriber; evaluation: Evaluation }> {
  let current: Subscriber | undefined = read;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (current?.state !== 'active') break;
    const now = deps.clock.now();
    if (zone !== undefined && current !== read) current = withZone(current, zone, now);
    const evaluation = evaluate(current.devices, devices, now, policySettings(current));
    try {
      // The held reminders are in this evaluation: the ended snooze is over (a transition, not a field write).
      const next = evaluation.snoozeEnded ? endSnooze(current, now).next : current;
      const saved = await deps.subscribers.saveSubscriber({
        ...next,
        devices: evaluation.devices,
        // Opted in to faster alerts: syncs announce themselves, so polling relaxes to a safety net.
        // Never while a text is held (quiet hours, snooze): that look is when it goes out; and only
        // while verified notifications are seen to arrive (else nothing would make up for it).
        nextCheckAt:
          current.fasterAlerts &&
          evaluation.held === 0 &&
          notificationsArriving(current.lastNotificationAt, now)
            ? relaxedNextCheckAt(now, evaluation.nextCheckAt, DEFAULT_RELAX)
            : evaluation.nextCheckAt,
        failures: 0,
        lastCheckedAt: now,
        updatedAt: now,
      });
      return { saved, before: current, evaluation };
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      current = await deps.subscribers.getSubscriber(read.id, deps.clock.now());
    }
  }
  return { evaluation: { devices: {}, alerts: [], held: 0, nextCheckAt: 0, snoozeEnded: false } };
}

/** Texts are recorded as sent before they go; a failed send takes its record back and looks again soon. */
async function send(
  deps: CheckDeps,
  subscriber: Subscriber,
  before: Subscriber,
  evaluation: Evaluation,
): Promise<CheckOutcome> {
  const { logger } = deps;
  const failed: Alert[] = [];
  let firstError: unknown;
  for (const alert of evaluation.alerts) {
    try {
      await publishToSubscriber(deps, subscriber, alert.text);
      logger.info('alert sent', { subscriberId: subscriber.id, kind: alert.kind });
    } catch (error) {
      failed.push(alert);
      firstError ??= error;
      logger.warn('alert could not be sent', { subscriberId: subscriber.id, error: (error as Error).name });
    }
  }
  if (failed.length === 0) return 'texted';
  const reminderFailed = failed.some((alert) => alert.kind === 'reminder');
  await retryOnConflict(async () => {
    const current = await deps.subscribers.getSubscriber(subscriber.id, deps.clock.now());
    if (!current) return;
    const devices = { ...current.devices };
    for (const { deviceId } of failed) {
      const memory = devices[deviceId];
      // Back to what was known before this check: the next look finds the text still due.
      if (memory) devices[deviceId] = { ...memory, episode: before.devices[deviceId]?.episode };
    }
    // A reminder is due only while the ended snooze is remembered; a newer snooze wins.
    const kept = reminderFailed ? keepEndedSnooze(current, before.snoozeUntil).next : current;
    await deps.subscribers.saveSubscriber({
      ...kept,
      devices,
      // Stopped meanwhile (STOP): its erase date stands.
      nextCheckAt: current.state === 'active' ? deps.clock.now() + DEFER_BASE_MS : current.nextCheckAt,
    });
  });
  // The texts are due again; the failed publish (refused by IAM, throttled, ...) must still be seen.
  throw firstError;
}

/**
 * A grant given for a limited time: one text a few days before it lapses, with the link to renew,
 * outside quiet hours. Recorded before it goes; taken back if it could not be sent. True when sent.
 */
async function noticeGrantEnding(deps: CheckDeps, subscriber: Subscriber): Promise<boolean> {
  const now = deps.clock.now();
  const { refreshExpiresAt, expiryNoticeSent } = subscriber.tokens;
  if (refreshExpiresAt === undefined || expiryNoticeSent || !subscriber.topicArn) return false;
  if (now < refreshExpiresAt - GRANT_NOTICE_MS || now >= refreshExpiresAt) return false;
  if (isQuiet(now, subscriber.timeZone, subscriber.quietHours)) return false;
  const mark = (sent: boolean) =>
    retryOnConflict(async () => {
      const current = await deps.subscribers.getSubscriber(subscriber.id, deps.clock.now());
      // Only this grant's record: a new consent meanwhile brought tokens of its own.
      if (current?.tokens.refreshToken !== subscriber.tokens.refreshToken) return undefined;
      if (sent && (current.state !== 'active' || current.tokens.expiryNoticeSent)) return undefined;
      return deps.subscribers.saveSubscriber({
        ...current,
        tokens: { ...current.tokens, expiryNoticeSent: sent || undefined },
      });
    });
  if (!(await mark(true))) return false;
  const days = Math.max(1, Math.ceil((refreshExpiresAt - now) / DAY));
  try {
    await deps.messenger.publish(subscriber.topicArn, texts.accessEnding(days, deps.settings.signupUrl));
    deps.logger.info('grant ending soon; person told', { subscriberId: subscriber.id });
    return true;
  } catch (error) {
    deps.logger.warn('grant notice could not be sent', {
      subscriberId: subscriber.id,
      error: error instanceof Error ? error.name : 'unknown',
    });
    await mark(false);
    return false;
  }
}

async function onProviderError(
  deps: CheckDeps,
  subscriber: Subscriber,
  error: unknown,
): Promise<CheckOutcome> {
  const { logger } = deps;
  const name = error instanceof Error ? error.name : 'unknown';
  if (error instanceof AccountNotLinkedError) {
    // Only the person can fix this (link Fitbit to this Google account): no backoff that pays
    // Google and tells no one. One text, then nothing until they sign up again.
    logger.warn('account no longer linked to Fitbit data; subscriber must sign up again', {
      subscriberId: subscriber.id,
      reason: error.reason,
    });
    await lostGrant(deps, subscriber, texts.accountUnlinked(deps.settings.signupUrl));
    return 'deferred';
  }
  if (error instanceof InvalidGrantError) {
    await lostGrant(deps, subscriber);
    return 'deferred';
  }
  if (error instanceof ProviderRetiredError) {
    // A retired API (the legacy Fitbit one answers 410) never comes back: no retry, ever. The
    // person's way forward is a new consent through the current provider.
    logger.error('provider retired (HTTP 410); subscriber must sign up again', {
      subscriberId: subscriber.id,
    });
    await lostGrant(deps, subscriber);
    return 'deferred';
  }
  const known =
    error instanceof RateLimitedError ||
    error instanceof ProviderUnavailableError ||
    error instanceof MalformedResponseError ||
    error instanceof ProviderRefusedError ||
    error instanceof TokenRejectedError;
  if (!known) throw error;
  const failures = (subscriber.failures ?? 0) + 1;
  // Exponential with +-20% jitter, capped after the jitter so no deferral exceeds the cap.
  const backoff = Math.min(DEFER_MAX_MS, DEFER_BASE_MS * 2 ** (failures - 1) * (0.8 + Math.random() * 0.4));
  const retryAfterMs = error instanceof RateLimitedError ? (error.retryAfterSeconds ?? 0) * 1000 : 0;
  const delay = Math.max(retryAfterMs, backoff);
  logger.warn('provider fault; subscriber deferred', { subscriberId: subscriber.id, error: name, failures });
  await retryOnConflict(async () => {
    const current = await deps.subscribers.getSubscriber(subscriber.id, deps.clock.now());
    if (current?.state !== 'active') return;
    await deps.subscribers.saveSubscriber({
      ...current,
      failures,
      nextCheckAt: deps.clock.now() + delay,
    });
  });
  return 'deferred';
}

/** The grant is gone (or useless): stop checking, and say so once, with the way back. */
async function lostGrant(
  deps: CheckDeps,
  subscriber: Subscriber,
  text = texts.needsReauth(deps.settings.signupUrl),
): Promise<void> {
  let moved = false;
  const changed = await updateSubscriber(deps, subscriber.id, (current) => {
    const { next } = needsReconsent(current);
    moved = next !== current;
    return next;
  });
  // Only the run that moved the subscriber says so: an earlier lapse already did.
  if (!changed || !moved) return;
  deps.logger.warn('grant revoked or expired; subscriber needs to sign up again', {
    subscriberId: subscriber.id,
  });
  if (changed.topicArn) await publishToSubscriber(deps, changed, text);
}

/**
 * Texts through the subscriber's topic. A topic that no longer exists (deleted by hand, or lost) is
 * made again with the phone subscribed, remembered, and the text sent there: the person still hears.
 * Only active (or just-lapsed) subscribers are texted, and their phone is the confirmed owner, so it
 * is the one subscription the new topic gets.
 */
async function publishToSubscriber(deps: CheckDeps, subscriber: Subscriber, text: string): Promise<void> {
  try {
    await deps.messenger.publish(subscriber.topicArn as string, text);
    return;
  } catch (error) {
    if (!(error instanceof TopicNotFoundError)) throw error;
  }
  const { topicArn, subscriptionArn } = await ensureTopicFor(
    deps,
    { ...subscriber, topicArn: undefined },
    subscriber.phone,
  );
  deps.logger.warn('topic no longer existed; created and subscribed again', { subscriberId: subscriber.id });
  await retryOnConflict(async () => {
    const current = await deps.subscribers.getSubscriber(subscriber.id, deps.clock.now());
    if (!current || (current.topicArn === topicArn && current.subscriptionArn === subscriptionArn)) return;
    await deps.subscribers.saveSubscriber({
      ...current,
      topicArn,
      subscriptionArn,
      updatedAt: deps.clock.now(),
    });
  });
  await deps.messenger.publish(topicArn, text);
}
