/**
 * The subscriber lifecycle and the ownership of a phone number, as pure transitions: each takes the
 * current state and an event and returns the next state plus the effects the use case must perform
 * (attach or detach the phone on the topic, revoke a grant, release a number). No use case writes a
 * state by hand; they read, call one of these, save under the optimistic lock, then act.
 *
 * The promises kept here (and checked by tests/property/lifecycle.test.ts after every step):
 * - only a phone that confirmed a subscriber is ever attached to that subscriber's topic;
 * - a number has at most one owner, and a bare YES confirms only when that cannot be ambiguous;
 * - every pending or stopped record carries an expiry, so nothing about a number outlives it.
 *
 * The states: pending (waiting for YES), active, snoozed, stopped, needs re-consent, erased (the
 * record is gone). "Snoozed" is not stored: it is an active subscriber whose `snoozeUntil` lies
 * ahead. Deployed tables already hold active items with `snoozeUntil`, a snoozed subscriber is still
 * checked (its episodes must be tracked so the right reminder goes out when the snooze ends), and the
 * snooze ends by itself when the clock passes it, without a write having to happen at that instant.
 */
import { NOTIFICATION_MARK_REFRESH_MS } from './early-check';
import type { Subscriber, TokenSet } from './subscriber';

/** A sign-up waiting for this number's YES, and the code that confirms exactly that sign-up. */
export interface PendingClaim {
  code: string;
  /** Epoch ms, a whole second (see `expiryAt`): the pending sign-up (and this claim) is gone after it. */
  expiresAtMs: number;
}

/** Who a phone number belongs to: its confirmed owner, and the sign-ups waiting for its YES. */
export interface PhoneRecord {
  phone: string;
  ownerId?: string;
  pending?: Record<string, PendingClaim>;
  /** Optimistic-lock counter, as on subscribers (0 = not stored yet). */
  version: number;
}

const DAY_MS = 24 * 3600_000;
/** A stopped subscriber is kept this long in case they text START; the due round then erases them. */
export const STOPPED_RETENTION_MS = 30 * DAY_MS;
/** The stopped record's own expiry: after the erase round is due, so TTL is only the backstop. */
export const STOPPED_EXPIRY_MS = STOPPED_RETENTION_MS + 2 * DAY_MS;
/** Confirmation codes: four digits, short enough to type, unique among one number's pending sign-ups. */
export const CODE_DIGITS = 4;

/**
 * The expiry of a record that `ms` from now is gone: epoch ms, rounded up to a whole second. Every
 * time in the domain is epoch ms; expiries are whole seconds because the store keeps them (and
 * DynamoDB's TTL counts) in epoch seconds, so what is saved reads back exactly.
 */
export function expiryAt(ms: number): number {
  return Math.ceil(ms / 1000) * 1000;
}

export function emptyPhone(phone: string): PhoneRecord {
  return { phone, version: 0 };
}

/** The pending claims that have not expired at `now`. */
export function livePending(record: PhoneRecord | undefined, now: number): Record<string, PendingClaim> {
  const live: Record<string, PendingClaim> = {};
  for (const [id, claim] of Object.entries(record?.pending ?? {})) {
    if (claim.expiresAtMs > now) live[id] = claim;
  }
  return live;
}

/** A record with no owner and nothing pending holds nothing worth keeping: the store deletes it. */
export function isVacant(record: PhoneRecord, now: number): boolean {
  return record.ownerId === undefined && Object.keys(livePending(record, now)).length === 0;
}

/** When (epoch ms) an ownerless record may be forgotten (its last claim's expiry); undefined while owned. */
export function phoneExpiry(record: PhoneRecord, now: number): number | undefined {
  if (record.ownerId !== undefined) return undefined;
  const expiries = Object.values(livePending(record, now)).map((c) => c.expiresAtMs);
  return expiries.length > 0 ? Math.max(...expiries) : expiryAt(now);
}

function withPending(record: PhoneRecord, pending: Record<string, PendingClaim>): PhoneRecord {
  const { pending: _old, ...rest } = record;
  return Object.keys(pending).length > 0 ? { ...rest, pending } : rest;
}

/** A sign-up now waits for this number's YES with `code` (replacing that account's earlier claim). */
export function claimPending(
  record: PhoneRecord,
  subscriberId: string,
  claim: PendingClaim,
  now: number,
): PhoneRecord {
  return withPending(record, { ...livePending(record, now), [subscriberId]: claim });
}

/** The number confirmed `subscriberId`: it owns the number, and its claim is spent. */
export function takeOwnership(record: PhoneRecord, subscriberId: string, now: number): PhoneRecord {
  const { [subscriberId]: _spent, ...others } = livePending(record, now);
  return withPending({ ...record, ownerId: subscriberId }, others);
}

/** Forgets `subscriberId` on this number, as owner and as pending sign-up. */
export function releasePhone(record: PhoneRecord, subscriberId: string, now: number): PhoneRecord {
  const { [subscriberId]: _gone, ...others } = livePending(record, now);
  const { ownerId, ...rest } = record;
  return withPending(ownerId === subscriberId ? rest : record, others);
}

/** A fresh code for a new claim on this number: never one another live claim already uses. */
export function newCode(
  record: PhoneRecord | undefined,
  subscriberId: string,
  now: number,
  random: () => number,
): string {
  const taken = new Set(
    Object.entries(livePending(record, now))
      .filter(([id]) => id !== subscriberId)
      .map(([, claim]) => claim.code),
  );
  const span = 10 ** CODE_DIGITS;
  for (;;) {
    const code = String(Math.floor(random() * span) % span).padStart(CODE_DIGITS, '0');
    if (!taken.has(code)) return code;
  }
}

export type YesDecision =
  /** Confirm this sign-up. */
  | { kind: 'confirm'; subscriberId: string }
  /** A bare YES with more than one candidate: the person must send the code. */
  | { kind: 'ambiguous' }
  /** A code that matches no sign-up waiting for this number. */
  | { kind: 'wrong_code' }
  /** Nothing waits: the YES means START (or nothing) to the owner. */
  | { kind: 'nothing_pending' };

/**
 * What a YES from this number confirms. With a code: the sign-up holding it. Bare: only when the
 * number has no active owner and exactly one sign-up waits; otherwise a stranger's sign-up (or a
 * second one) could take the number from under the person who answers a familiar text.
 */
export function decideYes(
  record: PhoneRecord | undefined,
  now: number,
  code: string | undefined,
  ownerActive: boolean,
): YesDecision {
  const pending = Object.entries(livePending(record, now));
  if (code !== undefined) {
    const match = pending.find(([, claim]) => claim.code === code);
    return match ? { kind: 'confirm', subscriberId: match[0] } : { kind: 'wrong_code' };
  }
  if (pending.length === 0) return { kind: 'nothing_pending' };
  const only = pending.length === 1 ? pending[0] : undefined;
  if (only && !ownerActive) return { kind: 'confirm', subscriberId: only[0] };
  return { kind: 'ambiguous' };
}

/** What the confirmation text must say: the code, and whether YES would take alerts from another account. */
export function confirmationPlan(
  record: PhoneRecord | undefined,
  subscriberId: string,
  ownerActive: boolean,
  now: number,
): { code: string; takeover: boolean } | undefined {
  const claim = livePending(record, now)[subscriberId];
  if (!claim) return undefined;
  const takeover = ownerActive && record?.ownerId !== undefined && record.ownerId !== subscriberId;
  return { code: claim.code, takeover };
}

/** Why a sign-up's confirmation text cannot be sent (the page says so, and nothing is kept). */
export type NotTextedReason = 'number_capped' | 'account_capped' | 'opted_out';

/** Something a transition asks the use case to do in the outside world. */
export type Effect =
  /** Subscribe the confirmed phone to the subscriber's topic, and remove every other subscription. */
  | { kind: 'attach_phone'; subscriberId: string; phone: string }
  /** Remove the subscriber's SMS subscription: its phone no longer hears its alerts. */
  | { kind: 'detach_phone'; subscriberId: string; subscriptionArn: string }
  /** Hand a grant back to the provider: it was replaced or is no longer wanted. */
  | { kind: 'revoke'; refreshToken: string }
  /** The subscriber no longer waits for or owns this (earlier) number. */
  | { kind: 'release_phone'; subscriberId: string; phone: string };

export interface Transition {
  next: Subscriber;
  effects: Effect[];
}

export interface SignUpInput {
  id: string;
  provider: Subscriber['provider'];
  providerUserId: string;
  phone: string;
  tokens: TokenSet;
  timeZone: string;
  /** When the time zone was read from the provider (it is re-read now and then). */
  timeZoneCheckedAt: number;
  signupId: string;
  now: number;
  pendingTtlMs: number;
  /** The number is already this subscriber's, confirmed: alerts simply resume, no new YES needed. */
  confirmedHere: boolean;
  defaults: Pick<Subscriber, 'threshold' | 'quietHours'>;
  /** Opted in to faster alerts, with the notification scope granted. */
  fasterAlerts?: boolean;
}

/** A (new or returning) account finished consent with a number. */
export function signUp(
  existing: Subscriber | undefined,
  input: SignUpInput,
): Transition & { restored: boolean } {
  const { now } = input;
  const restored =
    input.confirmedHere &&
    existing !== undefined &&
    existing.phone === input.phone &&
    (existing.state === 'active' || existing.state === 'needs_reauth');
  const effects: Effect[] = [];
  if (existing && existing.tokens.refreshToken !== input.tokens.refreshToken) {
    effects.push({ kind: 'revoke', refreshToken: existing.tokens.refreshToken });
  }
  if (existing && existing.phone !== input.phone) {
    effects.push({ kind: 'release_phone', subscriberId: input.id, phone: existing.phone });
  }
  const next: Subscriber = {
    id: input.id,
    provider: input.provider,
    providerUserId: input.providerUserId,
    threshold: input.defaults.threshold,
    quietHours: input.defaults.quietHours,
    devices: {},
    createdAt: now,
    version: 0,
    ...existing,
    phone: input.phone,
    tokens: input.tokens,
    timeZone: input.timeZone,
    timeZoneCheckedAt: input.timeZoneCheckedAt,
    signupId: input.signupId,
    // Each sign-up decides anew: without the opt-in (or with its scope unticked) nothing changes.
    fasterAlerts: input.fasterAlerts ? true : undefined,
    state: restored ? 'active' : 'pending_confirmation',
    nextCheckAt: restored ? now : undefined,
    updatedAt: now,
    // Every pending record expires, returning accounts included: an abandoned sign-up takes its tokens with it.
    expiresAtMs: restored ? undefined : expiryAt(now + input.pendingTtlMs),
  };
  return { next, effects, restored };
}

/** The phone said YES to this sign-up: alerts start, and the phone (only it) joins the topic. */
export function confirm(subscriber: Subscriber, now: number): Transition {
  if (subscriber.state !== 'pending_confirmation') return { next: subscriber, effects: [] };
  const { expiresAtMs: _gone, ...rest } = subscriber;
  return {
    // Due at once: the next round reads the devices and texts any that are already low.
    next: { ...rest, state: 'active', nextCheckAt: now },
    effects: [{ kind: 'attach_phone', subscriberId: subscriber.id, phone: subscriber.phone }],
  };
}

/** STOP (or the number confirmed another account): no more texts; erased after the retention period. */
export function stop(subscriber: Subscriber, now: number): Transition {
  if (subscriber.state === 'stopped') return { next: subscriber, effects: [] };
  // STOP wins over a snooze: nothing of it is left to end (and remind) later, START or not.
  const { snoozeUntil: _moot, ...rest } = subscriber;
  return {
    next: {
      ...rest,
      state: 'stopped',
      // The due index brings a stopped subscriber back after the retention period, to be erased.
      nextCheckAt: now + STOPPED_RETENTION_MS,
      expiresAtMs: expiryAt(now + STOPPED_EXPIRY_MS),
    },
    effects: [],
  };
}

/** The number now confirmed another account: this one stops, and its phone leaves its topic. */
export function displace(subscriber: Subscriber, now: number): Transition {
  const stopped = stop(subscriber, now).next;
  const effects: Effect[] = subscriber.subscriptionArn
    ? [{ kind: 'detach_phone', subscriberId: subscriber.id, subscriptionArn: subscriber.subscriptionArn }]
    : [];
  const { subscriptionArn: _gone, ...rest } = stopped;
  return { next: rest, effects };
}

/** START from the owner of a stopped subscription: alerts resume, nothing expires any more. */
export function resume(subscriber: Subscriber, now: number): Transition {
  if (subscriber.state !== 'stopped') return { next: subscriber, effects: [] };
  const { expiresAtMs: _gone, ...rest } = subscriber;
  return {
    next: { ...rest, state: 'active', nextCheckAt: now },
    effects: [{ kind: 'attach_phone', subscriberId: subscriber.id, phone: subscriber.phone }],
  };
}

/** The grant died (revoked, lapsed, account unlinked): checks stop until the person signs up again. */
export function needsReconsent(subscriber: Subscriber): Transition {
  if (subscriber.state !== 'active') return { next: subscriber, effects: [] };
  return { next: { ...subscriber, state: 'needs_reauth', nextCheckAt: undefined }, effects: [] };
}

/**
 * A sync notification made an opted-in, active subscriber due for an early check at `checkAt` (now,
 * or the end of the debounce period): due no later than that, and the early check remembered so the
 * next notification within the period adds nothing (`memory` is the early-check decision's `next`:
 * it replaces both remembered times). Anyone else is left as they are.
 */
export function scheduleEarlyCheck(
  subscriber: Subscriber,
  checkAt: number,
  memory: { lastEarlyCheckAt?: number; pendingEarlyCheckAt?: number },
): Transition {
  if (subscriber.state !== 'active' || subscriber.fasterAlerts !== true)
    return { next: subscriber, effects: [] };
  const nextCheckAt = Math.min(subscriber.nextCheckAt ?? checkAt, checkAt);
  // A repeat within the period changes nothing: the same record back, so nothing is written.
  if (
    nextCheckAt === subscriber.nextCheckAt &&
    memory.lastEarlyCheckAt === subscriber.lastEarlyCheckAt &&
    memory.pendingEarlyCheckAt === subscriber.pendingEarlyCheckAt
  )
    return { next: subscriber, effects: [] };
  const { lastEarlyCheckAt: _last, pendingEarlyCheckAt: _pending, ...rest } = subscriber;
  const next: Subscriber = { ...rest, nextCheckAt };
  if (memory.lastEarlyCheckAt !== undefined) next.lastEarlyCheckAt = memory.lastEarlyCheckAt;
  if (memory.pendingEarlyCheckAt !== undefined) next.pendingEarlyCheckAt = memory.pendingEarlyCheckAt;
  return { next, effects: [] };
}

/**
 * A verified sync notification for this subscriber arrived at `now`: remembered (so polling may
 * relax), but only when the stored time is older than NOTIFICATION_MARK_REFRESH_MS; otherwise the
 * very same record is returned and nothing is written.
 */
export function noteNotification(subscriber: Subscriber, now: number): Subscriber {
  const last = subscriber.lastNotificationAt;
  if (last !== undefined && now >= last && now - last < NOTIFICATION_MARK_REFRESH_MS) return subscriber;
  return { ...subscriber, lastNotificationAt: now };
}

/** Where a subscriber is in the lifecycle at `now` (erased: there is no record). */
export type LifecycleState = 'pending' | 'active' | 'snoozed' | 'stopped' | 'needs_reconsent';

export function lifecycleState(subscriber: Subscriber, now: number): LifecycleState {
  switch (subscriber.state) {
    case 'pending_confirmation':
      return 'pending';
    case 'stopped':
      return 'stopped';
    case 'needs_reauth':
      return 'needs_reconsent';
    default:
      return isSnoozed(subscriber, now) ? 'snoozed' : 'active';
  }
}

/** Active with a snooze still running: alerts are held until `snoozeUntil`. */
export function isSnoozed(subscriber: Subscriber, now: number): boolean {
  return (
    subscriber.state === 'active' && subscriber.snoozeUntil !== undefined && subscriber.snoozeUntil > now
  );
}

/**
 * SNOOZE: alerts are held until `until` (a later SNOOZE replaces the end). A subscriber waiting for
 * re-consent may snooze too (it holds once alerts are back); one stopped or unconfirmed cannot.
 */
export function snooze(subscriber: Subscriber, until: number, now: number): Transition {
  const { state } = subscriber;
  if (state === 'stopped' || state === 'pending_confirmation' || until <= now)
    return { next: subscriber, effects: [] };
  return { next: { ...subscriber, snoozeUntil: until }, effects: [] };
}

/**
 * RESUME (SNOOZE OFF): a running snooze ends now rather than being forgotten, so the next check (due
 * at once) sends what it held back, once, as when a snooze ends by itself.
 */
export function unsnooze(subscriber: Subscriber, now: number): Transition {
  const running = subscriber.snoozeUntil !== undefined && subscriber.snoozeUntil > now;
  const active = subscriber.state === 'active';
  if (!running && !active) return { next: subscriber, effects: [] };
  return {
    next: {
      ...subscriber,
      snoozeUntil: running ? now : subscriber.snoozeUntil,
      nextCheckAt: active ? now : subscriber.nextCheckAt,
    },
    effects: [],
  };
}

/**
 * The snooze ended by itself: the check that follows its end has evaluated (and queued) the held
 * reminders, so the end is forgotten. A snooze still running stays.
 */
export function endSnooze(subscriber: Subscriber, now: number): Transition {
  if (subscriber.snoozeUntil === undefined || subscriber.snoozeUntil > now)
    return { next: subscriber, effects: [] };
  const { snoozeUntil: _ended, ...rest } = subscriber;
  return { next: rest, effects: [] };
}

/**
 * A reminder due at a snooze's end could not be sent: the ended snooze is remembered again so the
 * next check sends it. A newer snooze (set meanwhile) wins, and so does a STOP.
 */
export function keepEndedSnooze(subscriber: Subscriber, endedAt: number | undefined): Transition {
  if (endedAt === undefined || subscriber.snoozeUntil !== undefined || subscriber.state !== 'active')
    return { next: subscriber, effects: [] };
  return { next: { ...subscriber, snoozeUntil: endedAt }, effects: [] };
}
