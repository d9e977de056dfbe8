/**
 * A text from a person, as AWS End User Messaging two-way SMS delivers it. Each message id is acted
 * on once, whatever SNS redelivers. The reply goes back from the number the person texted.
 * Once STOP is processed, only START/UNSTOP/YES (or DELETE) change anything, whatever arrives after.
 */
import { RecipientOptedOutError, RecipientUnreachableError } from '../domain/errors';
import { type StatusReading, texts } from '../domain/messages';
import { maskPhone } from '../domain/phone';
import { parseSmsCommand, type SmsCommand } from '../domain/sms-command';
import { formatLocal, snoozeEnd } from '../domain/snooze';
import type { Subscriber } from '../domain/subscriber';
import { withAccessToken } from './access-token';
import { type Ops, retryOnConflict, type WithMessenger } from './deps';
import { eraseSubscriber, STOPPED_RETENTION_MS } from './erase-subscriber';

export type InboundDeps = WithMessenger<
  'inbound' | 'phones' | 'provider' | 'clock' | 'logger' | 'settings',
  'unsubscribe' | 'deleteTopic' | 'optIn' | 'sendText'
> &
  Ops<'subscribers', 'getSubscriber' | 'saveSubscriber' | 'deleteSubscriber'>;

export interface InboundText {
  from: string;
  to: string;
  body: string;
  messageId: string;
}

export type InboundOutcome =
  | 'duplicate'
  | 'confirmed'
  | 'already_active'
  | 'resumed'
  | 'stopped'
  | 'deleted'
  | 'status'
  | 'snoozed'
  | 'snooze_off'
  | 'settings'
  | 'invalid'
  | 'help'
  | 'hint'
  | 'pending_hint'
  | 'stopped_hint'
  | 'not_subscribed'
  | 'silenced';

const HOUR = 3600_000;
/** Hints for texts we do not understand: at most one an hour per number (auto-responder loops). */
const HINT_WINDOW_MS = HOUR;
/** A number that is not a subscriber hears the sign-up link once, then nothing for a day. */
const SIGNUP_REPLY_WINDOW_MS = 24 * HOUR;

export async function handleInboundSms(deps: InboundDeps, text: InboundText): Promise<InboundOutcome> {
  const { inbound, clock } = deps;
  if (!(await inbound.claimInboundMessage(text.messageId, clock.now()))) return 'duplicate';
  try {
    return await act(deps, text);
  } catch (error) {
    // Let the retry (SNS/Lambda) act on it again: nothing was replied yet, or the reply failed.
    await inbound.releaseInboundMessage(text.messageId).catch(() => undefined);
    throw error;
  }
}

interface Context {
  deps: InboundDeps;
  text: InboundText;
  owner?: Subscriber;
  pending?: Subscriber;
  reply: (body: string) => Promise<void>;
}

async function act(deps: InboundDeps, text: InboundText): Promise<InboundOutcome> {
  const { phones, subscribers, clock, logger } = deps;
  const now = clock.now();
  const command = parseSmsCommand(text.body);
  const phoneRecord = await phones.getPhone(text.from);
  const owner = phoneRecord?.ownerId ? await subscribers.getSubscriber(phoneRecord.ownerId, now) : undefined;
  const pendingRecord = phoneRecord?.pendingId
    ? await subscribers.getSubscriber(phoneRecord.pendingId, now)
    : undefined;
  const pending =
    pendingRecord?.state === 'pending_confirmation' && pendingRecord.phone === text.from
      ? pendingRecord
      : undefined;
  const ctx: Context = { deps, text, owner, pending, reply: (body) => replyTo(deps, text, body) };
  logger.info('inbound text', { from: maskPhone(text.from), command: command.kind });

  switch (command.kind) {
    case 'yes':
      if (pending) {
        await confirm(deps, pending, owner, text.to);
        return 'confirmed';
      }
      return resume(ctx);
    case 'start':
      return resume(ctx);
    case 'stop':
      for (const subscriber of [owner, pending]) {
        if (subscriber) {
          await update(deps, subscriber.id, (s) => ({
            ...s,
            state: 'stopped',
            // The due index brings a stopped subscriber back after 30 days, to be erased.
            nextCheckAt: now + STOPPED_RETENTION_MS,
          }));
        }
      }
      await ctx.reply(texts.stopped());
      return 'stopped';
    case 'delete': {
      const targets = [owner, pending].filter((s): s is Subscriber => s !== undefined);
      if (targets.length === 0) return notSubscribed(ctx);
      // The last text first: if it fails, the retry finds the data still there and does both again.
      await ctx.reply(texts.deleted(deps.settings.signupUrl));
      for (const subscriber of targets) await eraseSubscriber(deps, subscriber);
      return 'deleted';
    }
    case 'help':
      // AWS has already answered the HELP keyword with the number's configured text.
      if (!deps.settings.selfManagedOptOuts && isKeyword(text.body, 'HELP')) return 'help';
      await ctx.reply(texts.help());
      return 'help';
    default:
      return settingsCommand(ctx, command);
  }
}

/** START, UNSTOP, or YES with nothing pending: bring a stopped subscriber back. */
async function resume(ctx: Context): Promise<InboundOutcome> {
  const { deps, owner, pending } = ctx;
  if (owner?.state === 'stopped') {
    // The person asked to hear from us again: take the number off the carriers' opt-out lists.
    await deps.messenger.optIn(owner.phone).catch((error: Error) => {
      deps.logger.warn('opt-in failed', { phone: maskPhone(owner.phone), error: error.name });
    });
    await update(deps, owner.id, (s) => ({ ...s, state: 'active', nextCheckAt: deps.clock.now() }));
    await ctx.reply(texts.resumed());
    return 'resumed';
  }
  if (owner) {
    await ctx.reply(texts.alreadyActive());
    return 'already_active';
  }
  if (pending) {
    await ctx.reply(texts.pendingHint());
    return 'pending_hint';
  }
  return notSubscribed(ctx);
}

/** STATUS, SNOOZE, THRESHOLD, QUIET and anything else: only for a subscriber whose alerts are on. */
async function settingsCommand(ctx: Context, command: SmsCommand): Promise<InboundOutcome> {
  const { deps, owner, pending } = ctx;
  const now = deps.clock.now();
  if (!owner) {
    if (pending) return rateLimited(ctx, 'hint', HINT_WINDOW_MS, texts.pendingHint(), 'pending_hint');
    return notSubscribed(ctx);
  }
  if (owner.state === 'stopped')
    return rateLimited(ctx, 'hint', HINT_WINDOW_MS, texts.stoppedHint(), 'stopped_hint');

  switch (command.kind) {
    case 'status':
      await ctx.reply(await statusText(deps, owner));
      return 'status';
    case 'snooze': {
      const until = snoozeEnd(command.spec, now, owner.timeZone);
      if (until === undefined) {
        await ctx.reply(texts.snoozeInvalid());
        return 'invalid';
      }
      await update(deps, owner.id, (s) => ({ ...s, snoozeUntil: until }));
      await ctx.reply(texts.snoozed(formatLocal(until, owner.timeZone)));
      return 'snoozed';
    }
    case 'snoozeOff':
      // Ending the snooze now makes the next check send what it held back, once.
      await update(deps, owner.id, (s) => ({
        ...s,
        snoozeUntil: s.snoozeUntil !== undefined && s.snoozeUntil > now ? now : s.snoozeUntil,
        nextCheckAt: s.state === 'active' ? now : s.nextCheckAt,
      }));
      await ctx.reply(texts.snoozeOff());
      return 'snooze_off';
    case 'threshold': {
      const { value } = command;
      if (value === undefined) {
        await ctx.reply(texts.thresholdInvalid());
        return 'invalid';
      }
      await update(deps, owner.id, (s) => ({ ...s, threshold: value, nextCheckAt: now }));
      await ctx.reply(texts.thresholdSet(value));
      return 'settings';
    }
    case 'quiet': {
      const { hours } = command;
      if (!hours) {
        await ctx.reply(texts.quietInvalid());
        return 'invalid';
      }
      await update(deps, owner.id, (s) => ({ ...s, quietHours: hours }));
      await ctx.reply(hours.start === hours.end ? texts.quietOff() : texts.quietSet(hours.start, hours.end));
      return 'settings';
    }
    default:
      return rateLimited(ctx, 'hint', HINT_WINDOW_MS, texts.hint(), 'hint');
  }
}

async function notSubscribed(ctx: Context): Promise<InboundOutcome> {
  return rateLimited(
    ctx,
    'signup',
    SIGNUP_REPLY_WINDOW_MS,
    texts.notSubscribed(ctx.deps.settings.signupUrl),
    'not_subscribed',
  );
}

async function rateLimited(
  ctx: Context,
  kind: 'hint' | 'signup',
  windowMs: number,
  body: string,
  outcome: InboundOutcome,
): Promise<InboundOutcome> {
  if (!(await ctx.deps.phones.takeReplyAllowance(ctx.text.from, kind, ctx.deps.clock.now(), windowMs))) {
    ctx.deps.logger.info('reply withheld: already answered recently', {
      phone: maskPhone(ctx.text.from),
      kind,
    });
    return 'silenced';
  }
  await ctx.reply(body);
  return outcome;
}

/** A live read of every device; the stored readings, said to be old, when the provider fails. */
async function statusText(deps: InboundDeps, subscriber: Subscriber): Promise<string> {
  const now = deps.clock.now();
  if (subscriber.state === 'needs_reauth') return texts.needsReauth(deps.settings.signupUrl);
  try {
    const { value: devices } = await withAccessToken(deps, subscriber, (token) =>
      deps.provider.listDevices(token),
    );
    return texts.status(
      devices.map((d) => ({
        name: d.name,
        level: d.batteryLevel,
        status: d.batteryStatus,
        lastSyncTime: d.lastSyncTime,
      })),
      now,
      subscriber.timeZone,
    );
  } catch (error) {
    deps.logger.warn('STATUS: provider unavailable, answering from memory', { error: (error as Error).name });
    const remembered: StatusReading[] = Object.values(subscriber.devices).map((d) => ({
      name: d.name,
      level: d.level,
      status: d.status,
      lastSyncTime: d.lastSyncTime,
    }));
    return texts.statusStale(remembered, now);
  }
}

/** Whether the whole text is this keyword, as AWS matches keywords (any case, around spaces). */
function isKeyword(body: string, keyword: string): boolean {
  return (
    body
      .trim()
      .replace(/[.!]+$/, '')
      .toUpperCase() === keyword
  );
}

/**
 * Replies in the person's thread. A number on the opt-out list cannot be answered (after STOP, AWS
 * confirms on our behalf when it manages opt-outs): that is logged, not retried.
 */
async function replyTo(
  deps: InboundDeps,
  text: Pick<InboundText, 'from' | 'to'>,
  body: string,
): Promise<void> {
  try {
    await deps.messenger.sendText(text.from, body, text.to);
  } catch (error) {
    if (!(error instanceof RecipientOptedOutError || error instanceof RecipientUnreachableError)) throw error;
    deps.logger.info('reply not sent: number cannot receive texts', {
      phone: maskPhone(text.from),
      error: error.name,
    });
  }
}

/** YES from the phone of a pending sign-up: it owns the number now, and hears its batteries. */
async function confirm(
  deps: InboundDeps,
  pending: Subscriber,
  previousOwner: Subscriber | undefined,
  replyFrom: string,
): Promise<void> {
  const { phones, clock, logger } = deps;
  const activated = await update(deps, pending.id, (s) =>
    s.state === 'pending_confirmation' && s.phone === pending.phone
      ? // Due at once: the next round reads the devices and texts any that are already low.
        { ...s, state: 'active', expiresAt: undefined, nextCheckAt: clock.now() }
      : s,
  );
  if (activated?.state !== 'active') return;
  await phones.setPhoneOwner(activated.phone, activated.id);
  if (previousOwner && previousOwner.id !== activated.id) {
    // One phone, one subscriber: the earlier holder of this number stops texting it.
    await update(deps, previousOwner.id, (s) => ({
      ...s,
      state: 'stopped',
      nextCheckAt: clock.now() + STOPPED_RETENTION_MS,
    }));
    if (previousOwner.subscriptionArn) await deps.messenger.unsubscribe(previousOwner.subscriptionArn);
    logger.info('phone number taken over by a newer sign-up', { phone: maskPhone(activated.phone) });
  }
  await replyTo(deps, { from: activated.phone, to: replyFrom }, await introText(deps, activated));
}

async function introText(deps: InboundDeps, subscriber: Subscriber): Promise<string> {
  try {
    const { value: devices } = await withAccessToken(deps, subscriber, (token) =>
      deps.provider.listDevices(token),
    );
    return texts.intro(
      devices.map((d) => ({ name: d.name, level: d.batteryLevel, status: d.batteryStatus })),
      subscriber.timeZone,
    );
  } catch (error) {
    deps.logger.warn('devices unavailable for the introductory text', { error: (error as Error).name });
    return texts.introUnavailable(subscriber.timeZone);
  }
}

/** Read-modify-write under the optimistic lock; no write when `change` returns the record as is. */
async function update(
  deps: InboundDeps,
  id: string,
  change: (current: Subscriber) => Subscriber,
): Promise<Subscriber | undefined> {
  return retryOnConflict(async () => {
    const current = await deps.subscribers.getSubscriber(id, deps.clock.now());
    if (!current) return undefined;
    const next = change(current);
    if (next === current) return current;
    return deps.subscribers.saveSubscriber({ ...next, updatedAt: deps.clock.now() });
  });
}
