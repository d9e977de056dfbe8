/**
 * A text from a person, as AWS End User Messaging two-way SMS delivers it. Each message id is acted
 * on once, whatever SNS redelivers. The reply goes back from the number the person texted.
 */
import { RecipientOptedOutError, RecipientUnreachableError } from '../domain/errors';
import { texts } from '../domain/messages';
import { maskPhone } from '../domain/phone';
import { parseSmsCommand } from '../domain/sms-command';
import type { Subscriber } from '../domain/subscriber';
import { withAccessToken } from './access-token';
import { type Deps, retryOnConflict } from './deps';

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
  | 'help'
  | 'pending_hint'
  | 'not_subscribed';

export async function handleInboundSms(deps: Deps, text: InboundText): Promise<InboundOutcome> {
  const { store, clock } = deps;
  if (!(await store.claimInboundMessage(text.messageId, clock.now()))) return 'duplicate';
  try {
    return await act(deps, text);
  } catch (error) {
    // Let the retry (SNS/Lambda) act on it again: nothing was replied yet, or the reply failed.
    await store.releaseInboundMessage(text.messageId).catch(() => undefined);
    throw error;
  }
}

async function act(deps: Deps, text: InboundText): Promise<InboundOutcome> {
  const { store, clock, logger } = deps;
  const now = clock.now();
  const command = parseSmsCommand(text.body);
  const phoneRecord = await store.getPhone(text.from);
  const owner = phoneRecord?.ownerId ? await store.getSubscriber(phoneRecord.ownerId, now) : undefined;
  const pendingRecord = phoneRecord?.pendingId
    ? await store.getSubscriber(phoneRecord.pendingId, now)
    : undefined;
  const pending =
    pendingRecord?.state === 'pending_confirmation' && pendingRecord.phone === text.from
      ? pendingRecord
      : undefined;
  const reply = (body: string) => replyTo(deps, text, body);
  logger.info('inbound text', { from: maskPhone(text.from), command: command.kind });

  switch (command.kind) {
    case 'yes':
      if (pending) {
        await confirm(deps, pending, owner, text.to);
        return 'confirmed';
      }
      if (owner?.state === 'stopped') {
        await setState(deps, owner.id, 'active');
        await reply(texts.resumed());
        return 'resumed';
      }
      if (owner) {
        await reply(texts.alreadyActive());
        return 'already_active';
      }
      await reply(texts.notSubscribed(deps.settings.signupUrl));
      return 'not_subscribed';
    case 'start':
      if (owner?.state === 'stopped') {
        await setState(deps, owner.id, 'active');
        await reply(texts.resumed());
        return 'resumed';
      }
      if (owner) {
        await reply(texts.alreadyActive());
        return 'already_active';
      }
      if (pending) {
        await reply(texts.pendingHint());
        return 'pending_hint';
      }
      await reply(texts.notSubscribed(deps.settings.signupUrl));
      return 'not_subscribed';
    case 'stop':
      for (const subscriber of [owner, pending])
        if (subscriber) await setState(deps, subscriber.id, 'stopped');
      await reply(texts.stopped());
      return 'stopped';
    case 'help':
      await reply(texts.help());
      return 'help';
    default:
      if (pending && !owner) {
        await reply(texts.pendingHint());
        return 'pending_hint';
      }
      if (owner) {
        await reply(texts.help());
        return 'help';
      }
      await reply(texts.notSubscribed(deps.settings.signupUrl));
      return 'not_subscribed';
  }
}

/**
 * Replies in the person's thread. A number on the opt-out list cannot be answered (after STOP, AWS
 * confirms on our behalf when it manages opt-outs): that is logged, not retried.
 */
async function replyTo(deps: Deps, text: InboundText, body: string): Promise<void> {
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
  deps: Deps,
  pending: Subscriber,
  previousOwner: Subscriber | undefined,
  replyFrom: string,
): Promise<void> {
  const { store, clock, logger } = deps;
  const activated = await retryOnConflict(async () => {
    const current = await store.getSubscriber(pending.id, clock.now());
    if (!current) throw new Error('pending subscriber vanished while confirming');
    // Due at once: the next round reads the devices and texts any that are already low.
    return store.saveSubscriber({
      ...current,
      state: 'active',
      expiresAt: undefined,
      nextCheckAt: clock.now(),
      updatedAt: clock.now(),
    });
  });
  await store.setPhoneOwner(activated.phone, activated.id);
  if (previousOwner && previousOwner.id !== activated.id) {
    // One phone, one subscriber: the earlier holder of this number stops texting it.
    await setState(deps, previousOwner.id, 'stopped');
    if (previousOwner.subscriptionArn) await deps.messenger.unsubscribe(previousOwner.subscriptionArn);
    logger.info('phone number taken over by a newer sign-up', { phone: maskPhone(activated.phone) });
  }
  await replyTo(
    deps,
    { from: activated.phone, to: replyFrom, body: '', messageId: '' },
    await introText(deps, activated),
  );
}

async function introText(deps: Deps, subscriber: Subscriber): Promise<string> {
  try {
    const { value: devices } = await withAccessToken(deps, subscriber, (token) =>
      deps.provider.listDevices(token),
    );
    return texts.intro(
      devices.map((d) => ({ name: d.name, level: d.batteryLevel, status: d.batteryStatus })),
    );
  } catch (error) {
    const name = error instanceof Error ? error.name : 'error';
    deps.logger.warn('devices unavailable for the introductory text', { error: name });
    return texts.introUnavailable();
  }
}

async function setState(deps: Deps, id: string, state: Subscriber['state']): Promise<void> {
  await retryOnConflict(async () => {
    const current = await deps.store.getSubscriber(id, deps.clock.now());
    if (!current || current.state === state) return;
    const now = deps.clock.now();
    await deps.store.saveSubscriber({
      ...current,
      state,
      updatedAt: now,
      nextCheckAt: state === 'active' ? now : undefined,
    });
  });
}
