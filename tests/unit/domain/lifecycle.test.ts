import {
  claimPending,
  confirm,
  confirmationPlan,
  decideYes,
  displace,
  emptyPhone,
  endSnooze,
  expiryAt,
  isVacant,
  keepEndedSnooze,
  lifecycleState,
  livePending,
  needsReconsent,
  newCode,
  noteNotification,
  phoneExpiry,
  releasePhone,
  resume,
  STOPPED_EXPIRY_MS,
  scheduleEarlyCheck,
  signUp,
  snooze,
  stop,
  takeOwnership,
  unsnooze,
} from '../../../src/domain/lifecycle';
import { DEFAULT_QUIET_HOURS } from '../../../src/domain/subscriber';
import { aSubscriber, PHONE, T0, tokens } from '../../support/fakes';

const LATER = expiryAt(T0) + 3600_000;
const claim = (code: string, expiresAtMs = LATER) => ({ code, expiresAtMs });

describe('phone ownership', () => {
  it('forgets claims past their expiry on read and on every change', () => {
    const record = claimPending(
      claimPending(emptyPhone(PHONE), 'a', claim('1111', Math.floor(T0 / 1000) * 1000), T0 - 1000),
      'b',
      claim('2222'),
      T0,
    );

    expect(Object.keys(livePending(record, T0))).toEqual(['b']);
    expect(Object.keys(record.pending ?? {})).toEqual(['b']);
  });

  it('gives the number to the confirmed sign-up and spends only its claim', () => {
    const record = claimPending(
      claimPending(emptyPhone(PHONE), 'a', claim('1111'), T0),
      'b',
      claim('2222'),
      T0,
    );

    const owned = takeOwnership(record, 'a', T0);

    expect(owned.ownerId).toBe('a');
    expect(Object.keys(owned.pending ?? {})).toEqual(['b']);
  });

  it('is vacant, and deleted by the store, once nobody owns or waits for the number', () => {
    const owned = takeOwnership(claimPending(emptyPhone(PHONE), 'a', claim('1111'), T0), 'a', T0);

    expect(isVacant(owned, T0)).toBe(false);
    expect(isVacant(releasePhone(owned, 'a', T0), T0)).toBe(true);
    expect(isVacant(releasePhone(owned, 'someone-else', T0), T0)).toBe(false);
  });

  it('expires an ownerless record with its last claim, and never an owned one', () => {
    const record = claimPending(
      claimPending(emptyPhone(PHONE), 'a', claim('1', LATER), T0),
      'b',
      claim('2', LATER + 5000),
      T0,
    );

    expect(phoneExpiry(record, T0)).toBe(LATER + 5000);
    expect(phoneExpiry(takeOwnership(record, 'a', T0), T0)).toBeUndefined();
  });

  it('hands out codes no other live claim on the number uses', () => {
    let record = emptyPhone(PHONE);
    const values = [0.1234, 0.1234, 0.1234, 0.5678];
    const random = () => values.shift() ?? 0.9;
    record = claimPending(record, 'a', claim(newCode(record, 'a', T0, random)), T0);

    const second = newCode(record, 'b', T0, random);

    expect(record.pending?.a?.code).toBe('1234');
    expect(second).toBe('5678');
  });
});

describe('decideYes', () => {
  const one = claimPending(emptyPhone(PHONE), 'a', claim('1111'), T0);
  const two = claimPending(one, 'b', claim('2222'), T0);

  it('confirms on a bare YES only with no active owner and exactly one sign-up waiting', () => {
    expect(decideYes(one, T0, undefined, false)).toEqual({ kind: 'confirm', subscriberId: 'a' });
    expect(decideYes(one, T0, undefined, true)).toEqual({ kind: 'ambiguous' });
    expect(decideYes(two, T0, undefined, false)).toEqual({ kind: 'ambiguous' });
    expect(decideYes(emptyPhone(PHONE), T0, undefined, true)).toEqual({ kind: 'nothing_pending' });
  });

  it('confirms exactly the sign-up holding the code, and nothing for a wrong one', () => {
    expect(decideYes(two, T0, '2222', true)).toEqual({ kind: 'confirm', subscriberId: 'b' });
    expect(decideYes(two, T0, '3333', false)).toEqual({ kind: 'wrong_code' });
  });

  it('never confirms a claim that has expired', () => {
    expect(decideYes(one, LATER * 1000, '1111', false)).toEqual({ kind: 'wrong_code' });
    expect(decideYes(one, LATER * 1000, undefined, false)).toEqual({ kind: 'nothing_pending' });
  });

  it('plans a takeover text only when another account actively owns the number', () => {
    const owned = { ...two, ownerId: 'owner' };

    expect(confirmationPlan(owned, 'a', true, T0)).toEqual({ code: '1111', takeover: true });
    expect(confirmationPlan(owned, 'a', false, T0)).toEqual({ code: '1111', takeover: false });
    expect(confirmationPlan(two, 'nobody', false, T0)).toBeUndefined();
  });
});

describe('subscriber transitions', () => {
  it('stops checks of an active subscriber whose grant died, and leaves any other state as it is', () => {
    const active = aSubscriber({ state: 'active', nextCheckAt: T0 });

    const { next, effects } = needsReconsent(active);

    expect(next.state).toBe('needs_reauth');
    expect(next.nextCheckAt).toBeUndefined();
    expect(effects).toEqual([]);
    for (const state of ['pending_confirmation', 'stopped', 'needs_reauth'] as const) {
      const other = aSubscriber({ state });
      expect(needsReconsent(other).next).toBe(other);
    }
  });

  const input = {
    id: 'google#USER1',
    provider: 'google' as const,
    providerUserId: 'USER1',
    phone: PHONE,
    tokens: tokens({ refreshToken: 'new-refresh' }),
    timeZone: 'UTC',
    timeZoneCheckedAt: T0,
    signupId: 'signup-2',
    now: T0,
    pendingTtlMs: 86_400_000,
    confirmedHere: false,
    defaults: { threshold: 20, quietHours: DEFAULT_QUIET_HOURS },
  };

  it('makes every pending sign-up expire, returning accounts included, and revokes the replaced token', () => {
    const existing = aSubscriber({ state: 'active', phone: '+12015550188' });

    const { next, effects, restored } = signUp(existing, input);

    expect(restored).toBe(false);
    expect(next.state).toBe('pending_confirmation');
    expect(next.expiresAtMs).toBe(expiryAt(T0 + 86_400_000));
    expect(effects).toEqual([
      { kind: 'revoke', refreshToken: 'test-refresh-1' },
      { kind: 'release_phone', subscriberId: 'google#USER1', phone: '+12015550188' },
    ]);
  });

  it('restores a confirmed subscriber without an expiry', () => {
    const { next, restored } = signUp(aSubscriber({ state: 'needs_reauth' }), {
      ...input,
      confirmedHere: true,
    });

    expect(restored).toBe(true);
    expect(next).toMatchObject({ state: 'active', nextCheckAt: T0 });
    expect(next.expiresAtMs).toBeUndefined();
  });

  it('activates only a pending subscriber, and asks for its phone (only) on the topic', () => {
    const pending = aSubscriber({ state: 'pending_confirmation', expiresAtMs: LATER });

    const { next, effects } = confirm(pending, T0);

    expect(next).toMatchObject({ state: 'active', nextCheckAt: T0 });
    expect(next.expiresAtMs).toBeUndefined();
    expect(effects).toEqual([{ kind: 'attach_phone', subscriberId: pending.id, phone: PHONE }]);
    expect(confirm(aSubscriber({ state: 'stopped' }), T0).effects).toEqual([]);
  });

  it('gives every stopped record an expiry after its erase date, and takes it away on START', () => {
    const stopped = stop(aSubscriber({ state: 'active' }), T0).next;

    expect(stopped.state).toBe('stopped');
    expect(stopped.expiresAtMs).toBe(expiryAt(T0 + STOPPED_EXPIRY_MS));
    expect(stopped.expiresAtMs as number).toBeGreaterThan(stopped.nextCheckAt as number);
    const resumed = resume(stopped, T0).next;
    expect(resumed.state).toBe('active');
    expect(resumed.expiresAtMs).toBeUndefined();
  });

  it('stops a displaced owner and detaches its phone from its topic', () => {
    const owner = aSubscriber({ state: 'active', subscriptionArn: 'arn:sub' });

    const { next, effects } = displace(owner, T0);

    expect(next.state).toBe('stopped');
    expect(next.subscriptionArn).toBeUndefined();
    expect(effects).toEqual([{ kind: 'detach_phone', subscriberId: owner.id, subscriptionArn: 'arn:sub' }]);
  });
});

describe('snooze transitions', () => {
  const HOUR_MS = 3600_000;
  const UNTIL = T0 + 2 * HOUR_MS;

  it('snoozes an active subscriber until the given end, and says so only while it runs', () => {
    const active = aSubscriber({ state: 'active', nextCheckAt: T0 });

    const { next, effects } = snooze(active, UNTIL, T0);

    expect(next.snoozeUntil).toBe(UNTIL);
    expect(next.state).toBe('active');
    expect(effects).toEqual([]);
    expect(lifecycleState(next, T0)).toBe('snoozed');
    expect(lifecycleState(next, UNTIL - 1)).toBe('snoozed');
    expect(lifecycleState(next, UNTIL)).toBe('active');
  });

  it('leaves a stopped or unconfirmed subscriber, and an end already past, as they are', () => {
    for (const state of ['stopped', 'pending_confirmation'] as const) {
      const other = aSubscriber({ state });
      expect(snooze(other, UNTIL, T0).next).toBe(other);
    }
    const active = aSubscriber({ state: 'active' });
    expect(snooze(active, T0, T0).next).toBe(active);
  });

  it('ends a running snooze now on RESUME, and makes the next check due at once', () => {
    const snoozed = snooze(aSubscriber({ state: 'active', nextCheckAt: T0 + HOUR_MS }), UNTIL, T0).next;

    const { next } = unsnooze(snoozed, T0 + 60_000);

    expect(next.snoozeUntil).toBe(T0 + 60_000);
    expect(next.nextCheckAt).toBe(T0 + 60_000);
    expect(lifecycleState(next, T0 + 60_000)).toBe('active');
  });

  it('forgets a snooze once it has ended by itself, never one still running', () => {
    const snoozed = snooze(aSubscriber({ state: 'active' }), UNTIL, T0).next;

    expect(endSnooze(snoozed, UNTIL - 1).next).toBe(snoozed);
    const ended = endSnooze(snoozed, UNTIL).next;
    expect(ended).not.toHaveProperty('snoozeUntil');
    expect(lifecycleState(ended, UNTIL)).toBe('active');
  });

  it('remembers an ended snooze again when its reminder failed, unless a newer snooze was set', () => {
    const ended = aSubscriber({ state: 'active' });
    expect(keepEndedSnooze(ended, UNTIL).next.snoozeUntil).toBe(UNTIL);
    const newer = snooze(ended, UNTIL + HOUR_MS, T0).next;
    expect(keepEndedSnooze(newer, UNTIL).next).toBe(newer);
    const stopped = stop(ended, T0).next;
    expect(keepEndedSnooze(stopped, UNTIL).next).toBe(stopped);
  });

  it('lets STOP win over a snooze: nothing of it survives to START', () => {
    const snoozed = snooze(aSubscriber({ state: 'active' }), UNTIL, T0).next;

    const stopped = stop(snoozed, T0).next;

    expect(lifecycleState(stopped, T0)).toBe('stopped');
    expect(stopped).not.toHaveProperty('snoozeUntil');
    expect(lifecycleState(resume(stopped, T0).next, T0)).toBe('active');
  });

  it('names every stored state in the lifecycle', () => {
    expect(lifecycleState(aSubscriber({ state: 'pending_confirmation' }), T0)).toBe('pending');
    expect(lifecycleState(aSubscriber({ state: 'needs_reauth', snoozeUntil: UNTIL }), T0)).toBe(
      'needs_reconsent',
    );
    expect(lifecycleState(aSubscriber({ state: 'active' }), T0)).toBe('active');
  });
});

describe('noteNotification', () => {
  const HOURS = 3600_000;
  it('stamps the first notification, keeps the same record for a few hours, then stamps again', () => {
    const first = noteNotification(aSubscriber(), T0);
    expect(first.lastNotificationAt).toBe(T0);
    expect(noteNotification(first, T0 + 2 * HOURS)).toBe(first);
    expect(noteNotification(first, T0 + 3 * HOURS).lastNotificationAt).toBe(T0 + 3 * HOURS);
  });

  it('stamps again when the stored time is in the future (a clock that went back)', () => {
    const ahead = aSubscriber({ lastNotificationAt: T0 + HOURS });
    expect(noteNotification(ahead, T0).lastNotificationAt).toBe(T0);
  });
});

describe('scheduleEarlyCheck', () => {
  it('returns the very same record when nothing changes, so nothing is written', () => {
    const scheduled = aSubscriber({
      fasterAlerts: true,
      nextCheckAt: T0 + 60_000,
      pendingEarlyCheckAt: T0 + 60_000,
    });
    expect(scheduleEarlyCheck(scheduled, T0 + 60_000, { pendingEarlyCheckAt: T0 + 60_000 }).next).toBe(
      scheduled,
    );
    expect(scheduleEarlyCheck(scheduled, T0, { lastEarlyCheckAt: T0 }).next).not.toBe(scheduled);
  });
});
