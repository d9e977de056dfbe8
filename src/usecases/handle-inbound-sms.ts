/**
 * A text from a person, as AWS End User Messaging two-way SMS delivers it. Each message id is acted
 * on once, whatever SNS redelivers. The reply goes back from the number the person texted.
 * Once STOP is processed, only START/UNSTOP/YES (or DELETE) change anything, whatever arrives after.
 */
import { RecipientOptedOutError, RecipientUnreachableError } from '../domain/errors';
import {
  confirm as confirmTransition,
  decideYes,
  displace,
  livePending,
  type PhoneRecord,
  releasePhone,
  resume as resumeTransition,
  snooze as snoozeTransition,
  stop as stopTransition,
  takeOwnership,
  unsnooze,
} from '../domain/lifecycle';
import { type StatusReading, texts } from '../domain/messages';
import { maskPhone } from '../domain/phone';
import { parseSmsCommand, type SmsCommand } from '../domain/sms-command';
import { formatLocal, snoozeEnd } from '../domain/snooze';
import type { Subscriber } from '../domain/subscriber';
import { withAccessToken } from './access-token';
import { type Ops, updatePhone, updateSubscriber, type WithMessenger } from './deps';
import { eraseSubscriber } from './erase-subscriber';
import { reconcileTopic } from './topic-subscriptions';

export type InboundDeps = WithMessenger<
  'inbound' | 'phones' | 'limits' | 'provider' | 'clock' | 'logger' | 'settings',
  'unsubscribe' | 'deleteTopic' | 'optIn' | 'sendText' | 'listSubscriptions' | 'subscribeSms'
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
  | 'needs_code'
  | 'wrong_code'
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
  record?: PhoneRecord;
  owner?: Subscriber;
  /** Sign-ups waiting for this number's YES (live, still pending, still for this number). */
  pending: Subscriber[];
  reply: (body: string) => Promise<void>;
}

async function act(deps: InboundDeps, text: InboundText): Promise<InboundOutcome> {
  const { subscribers, phones, clock, logger } = deps;
  const now = clock.now();
  const command = parseSmsCommand(text.body);
  const record = await phones.getPhone(text.from, now);
  const ownerRecord = record?.ownerId ? await subscribers.getSubscriber(record.ownerId, now) : undefined;
  const owner = ownerRecord?.phone === text.from ? ownerRecord : undefined;
  const pending: Subscriber[] = [];
  for (const id of Object.keys(livePending(record, now))) {
    const candidate = await subscribers.getSubscriber(id, now);
    if (candidate?.state === 'pending_confirmation' && candidate.phone === text.from) pending.push(candidate);
  }
  const ctx: Context = { deps, text, record, owner, pending, reply: (body) => replyTo(deps, text, body) };
  logger.info('inbound text', { from: maskPhone(text.from), command: command.kind });

  switch (command.kind) {
    case 'yes':
      return yes(ctx, command.code);
    case 'start':
      return resume(ctx);
    case 'stop':
      if (owner) await updateSubscriber(deps, owner.id, (s) => stopTransition(s, now).next);
      for (const waiting of pending) {
        // A stopped sign-up can never be confirmed: its claim on the number goes now.
        await updateSubscriber(deps, waiting.id, (s) => stopTransition(s, now).next);
        await updatePhone(deps, text.from, (r) => releasePhone(r, waiting.id, now));
      }
      await ctx.reply(texts.stopped());
      return 'stopped';
    case 'delete': {
      const targets = [...(owner ? [owner] : []), ...pending];
      if (targets.length === 0) return notSubscribed(ctx);
      // The last text first: if it fails, the retry finds the data still there and does both again.
      await ctx.reply(texts.deleted(deps.settings.signupUrl));
      for (const subscriber of targets) await eraseSubscriber(deps, subscriber);
      return 'deleted';
    }
    case 'help':
      // AWS has already answered the HELP keyword with the number's configured text.
      if (!deps.settings.selfManagedOptOuts && isKeyword(text.body, 'HELP')) return 'help';
      return limitedReply(ctx, texts.help(), 'help');
    default:
      return settingsCommand(ctx, command);
  }
}

/** YES, with or without the sign-up's code: confirms a sign-up only when it is unambiguous which. */
async function yes(ctx: Context, code: string | undefined): Promise<InboundOutcome> {
  const { deps, record, owner, pending } = ctx;
  const decision = decideYes(record, deps.clock.now(), code, owner?.state === 'active');
  const chosen =
    decision.kind === 'confirm' ? pending.find((s) => s.id === decision.subscriberId) : undefined;
  if (chosen) {
    await confirm(deps, chosen, owner, ctx.text.to);
    return 'confirmed';
  }
  // These answers confirm nothing, so they count against the hourly budget: a flood of guessed codes
  // from one number cannot make the service text without limit.
  if (decision.kind === 'ambiguous') return limitedReply(ctx, texts.yesNeedsCode(), 'needs_code');
  if (decision.kind === 'wrong_code') return limitedReply(ctx, texts.yesWrongCode(), 'wrong_code');
  return resume(ctx);
}

/** START, UNSTOP, or YES with nothing pending: bring a stopped subscriber back. */
async function resume(ctx: Context): Promise<InboundOutcome> {
  const { deps, owner, pending } = ctx;
  if (owner?.state === 'stopped') {
    // The person asked to hear from us again: take the number off the carriers' opt-out lists.
    await deps.messenger.optIn(owner.phone).catch((error: Error) => {
      deps.logger.warn('opt-in failed', { phone: maskPhone(owner.phone), error: error.name });
    });
    const resumed = await updateSubscriber(deps, owner.id, (s) => resumeTransition(s, deps.clock.now()).next);
    if (resumed) await attachPhone(deps, resumed);
    await ctx.reply(texts.resumed());
    return 'resumed';
  }
  if (owner) {
    await ctx.reply(texts.alreadyActive());
    return 'already_active';
  }
  if (pending.length > 0) {
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
    if (pending.length > 0)
      return rateLimited(ctx, 'hint', HINT_WINDOW_MS, texts.pendingHint(), 'pending_hint');
    return notSubscribed(ctx);
  }
  if (owner.state === 'stopped')
    return rateLimited(ctx, 'hint', HINT_WINDOW_MS, texts.stoppedHint(), 'stopped_hint');
  // Every reply below costs a text (STATUS also a live provider call): a flood meets the limit.
  if (!(await takeReply(ctx))) return 'silenced';

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
      // Decided on the record as saved, not as read: a STOP that lands in between wins, and the
      // reply must not promise a snooze that was refused.
      let applied = false;
      await updateSubscriber(deps, owner.id, (s) => {
        const { next } = snoozeTransition(s, until, deps.clock.now());
        applied = next !== s;
        return next;
      });
      if (!applied) {
        await ctx.reply(texts.stoppedHint());
        return 'stopped_hint';
      }
      await ctx.reply(texts.snoozed(formatLocal(until, owner.timeZone)));
      return 'snoozed';
    }
    case 'snoozeOff':
      await updateSubscriber(deps, owner.id, (s) => unsnooze(s, deps.clock.now()).next);
      await ctx.reply(texts.snoozeOff());
      return 'snooze_off';
    case 'threshold': {
      const { value } = command;
      if (value === undefined) {
        await ctx.reply(texts.thresholdInvalid());
        return 'invalid';
      }
      await updateSubscriber(deps, owner.id, (s) => ({ ...s, threshold: value, nextCheckAt: now }));
      await ctx.reply(texts.thresholdSet(value));
      return 'settings';
    }
    case 'quiet': {
      const { hours } = command;
      if (!hours) {
        await ctx.reply(texts.quietInvalid());
        return 'invalid';
      }
      await updateSubscriber(deps, owner.id, (s) => ({ ...s, quietHours: hours }));
      await ctx.reply(hours.start === hours.end ? texts.quietOff() : texts.quietSet(hours.start, hours.end));
      return 'settings';
    }
    default:
      return rateLimited(ctx, 'hint', HINT_WINDOW_MS, texts.hint(), 'hint', false);
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

/** One of the number's replies this hour (HELP, STATUS, settings, hints): false once they are used up. */
async function takeReply(ctx: Context): Promise<boolean> {
  const { deps, text } = ctx;
  const allowed = await deps.limits.take(
    'replies',
    text.from,
    deps.settings.maxRepliesPerHour,
    HOUR,
    deps.clock.now(),
  );
  if (!allowed) deps.logger.info('reply withheld: too many this hour', { phone: maskPhone(text.from) });
  return allowed;
}

async function limitedReply(ctx: Context, body: string, outcome: InboundOutcome): Promise<InboundOutcome> {
  if (!(await takeReply(ctx))) return 'silenced';
  await ctx.reply(body);
  return outcome;
}

/** At most one reply of this kind per number per window (auto-responder loops), within the hourly budget. */
async function rateLimited(
  ctx: Context,
  kind: 'hint' | 'signup',
  windowMs: number,
  body: string,
  outcome: InboundOutcome,
  countsTowardsBudget = true,
): Promise<InboundOutcome> {
  const { deps, text } = ctx;
  if (!(await deps.limits.cooldown(kind, text.from, windowMs, deps.clock.now()))) {
    deps.logger.info('reply withheld: already answered recently', { phone: maskPhone(text.from), kind });
    return 'silenced';
  }
  if (countsTowardsBudget && !(await takeReply(ctx))) return 'silenced';
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
  const { clock, logger } = deps;
  const now = clock.now();
  const activated = await updateSubscriber(deps, pending.id, (s) =>
    s.phone === pending.phone ? confirmTransition(s, now).next : s,
  );
  if (activated?.state !== 'active') return;
  await updatePhone(deps, activated.phone, (record) => takeOwnership(record, activated.id, now));
  if (previousOwner && previousOwner.id !== activated.id) {
    // One phone, one subscriber: the earlier holder of this number stops, and its topic goes quiet.
    const displaced = await updateSubscriber(deps, previousOwner.id, (s) => displace(s, now).next);
    if (displaced?.topicArn) await reconcileTopic(deps, displaced.topicArn, undefined);
    logger.info('phone number taken over by a newer sign-up', { phone: maskPhone(activated.phone) });
  }
  const attached = await attachPhone(deps, activated);
  await replyTo(deps, { from: activated.phone, to: replyFrom }, await introText(deps, attached));
}

/**
 * The confirmed phone joins its subscriber's topic, and nothing else stays subscribed to it. A YES
 * that beats provisioning (no topic yet) needs nothing here: provisioning finds the subscriber
 * confirmed and subscribes its phone then (only createUserTopic may create topics).
 */
async function attachPhone(deps: InboundDeps, subscriber: Subscriber): Promise<Subscriber> {
  const { topicArn } = subscriber;
  if (!topicArn) return subscriber;
  const subscriptionArn = await reconcileTopic(deps, topicArn, subscriber.phone);
  if (subscriber.subscriptionArn === subscriptionArn) return subscriber;
  return (await updateSubscriber(deps, subscriber.id, (s) => ({ ...s, subscriptionArn }))) ?? subscriber;
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
