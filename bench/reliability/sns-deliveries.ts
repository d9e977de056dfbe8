/**
 * SNS delivers at least once and in no particular order. Every SNS-triggered function (the
 * create-user-topic and inbound-sms handlers, for real, over dynalite and the sandbox) is handed the
 * same event twice, and events in the wrong order; each case counts what came out of it: texts that
 * reached the phone and writes to the subscriber (its optimistic-lock version).
 */
import { randomUUID } from 'node:crypto';
import { claimPending, expiryAt } from '../../src/domain/lifecycle';
import type { Subscriber } from '../../src/domain/subscriber';
import { updatePhone } from '../../src/usecases/deps';
import {
  type Harness,
  retire,
  SERVICE_NUMBER,
  seedGoogleSubscriber,
  settle,
  snsEvent,
  textsTo,
} from './harness';

export interface DeliveryCase {
  name: string;
  deliveries: number;
  /** What the handlers logged as the outcome of each delivery, in order. */
  outcomes: string[];
  texts: number;
  expectedTexts: number;
  stateChanges: number;
  expectedStateChanges: number;
  ok: boolean;
  problems: string[];
}

export interface DeliveriesResult {
  cases: DeliveryCase[];
  problems: string[];
}

let seq = 0;

/** Outcomes the handlers logged since `from` (the `outcome`/`result` of their "handled" lines). */
function outcomesSince(h: Harness, from: number): string[] {
  return h.logger
    .since(from)
    .filter((e) => e.message === 'inbound text handled' || e.message === 'new subscriber handled')
    .map((e) => String(e.extra?.outcome ?? e.extra?.result));
}

export function inboundPayload(from: string, body: string, inboundMessageId: string) {
  return { originationNumber: from, destinationNumber: SERVICE_NUMBER, messageBody: body, inboundMessageId };
}

async function version(h: Harness, id: string): Promise<number> {
  return (await h.deps.subscribers.getSubscriber(id, h.clock.now))?.version ?? 0;
}

/** A sign-up waiting for its YES: no topic yet, the phone's pending sign-up. */
export async function seedPending(h: Harness, signupId: string): Promise<Subscriber> {
  const user = `rel-p${++seq}`;
  const s = await seedGoogleSubscriber(h, user, { level: 60, state: 'pending_confirmation', topic: false });
  const saved = await h.deps.subscribers.saveSubscriber({ ...s, signupId });
  const now = h.deps.clock.now();
  await updatePhone(h.deps, s.phone, (record) =>
    claimPending(record, s.id, { code: '1234', expiresAtMs: expiryAt(now + 86_400_000) }, now),
  );
  return saved;
}

interface Step {
  handler: 'inbound' | 'provision';
  message: unknown;
}

async function runCase(
  h: Harness,
  name: string,
  subscriber: Subscriber,
  steps: Step[],
  expected: { texts: number; stateChanges: number; check?: (s: Subscriber | undefined) => string[] },
): Promise<DeliveryCase> {
  const from = h.logger.entries.length;
  const v0 = subscriber.version;
  const textsBefore = textsTo(h, subscriber.phone).length;
  const problems: string[] = [];
  for (const step of steps) {
    const run =
      step.handler === 'inbound'
        ? () => h.handlers.inboundSms(snsEvent(step.message))
        : () => h.handlers.createUserTopic(snsEvent(step.message));
    const result = await settle(run);
    if (!result.ok) problems.push(`a delivery threw ${result.error}: ${result.message}`);
  }
  const texts = textsTo(h, subscriber.phone).length - textsBefore;
  const stateChanges = (await version(h, subscriber.id)) - v0;
  if (texts !== expected.texts) problems.push(`${texts} texts, expected ${expected.texts}`);
  if (stateChanges !== expected.stateChanges)
    problems.push(`${stateChanges} writes to the subscriber, expected ${expected.stateChanges}`);
  problems.push(
    ...(expected.check?.(await h.deps.subscribers.getSubscriber(subscriber.id, h.clock.now)) ?? []),
  );
  return {
    name,
    deliveries: steps.length,
    outcomes: outcomesSince(h, from),
    texts,
    expectedTexts: expected.texts,
    stateChanges,
    expectedStateChanges: expected.stateChanges,
    ok: problems.length === 0,
    problems,
  };
}

export async function runSnsDeliveries(h: Harness): Promise<DeliveriesResult> {
  const cases: DeliveryCase[] = [];
  const ids: string[] = [];

  // create-user-topic: the same event twice, and twice within one batch.
  {
    const signupId = `signup-${randomUUID()}`;
    const s = await seedPending(h, signupId);
    ids.push(s.id);
    const event = { subscriberId: s.id, signupId };
    cases.push(
      await runCase(
        h,
        'new subscriber: same event delivered 3 times',
        s,
        [
          { handler: 'provision', message: event },
          { handler: 'provision', message: event },
          { handler: 'provision', message: event },
        ],
        {
          texts: 1,
          // The topic (no subscription: the phone joins only on YES), then the claim of the text.
          stateChanges: 2,
          check: (after) =>
            after?.topicArn && !after.subscriptionArn ? [] : ['no topic, or a phone subscribed before YES'],
        },
      ),
    );
  }
  // create-user-topic: an older sign-up's event arrives after the newer one's, and before it.
  for (const order of ['older after newer', 'older before newer'] as const) {
    const older = `signup-old-${randomUUID()}`;
    const newer = `signup-new-${randomUUID()}`;
    // The record already holds the newer sign-up: the older event was published before it.
    const s = await seedPending(h, newer);
    ids.push(s.id);
    const steps: Step[] = [
      { handler: 'provision', message: { subscriberId: s.id, signupId: newer } },
      { handler: 'provision', message: { subscriberId: s.id, signupId: older } },
    ];
    if (order === 'older before newer') steps.reverse();
    cases.push(
      await runCase(h, `new subscriber: ${order}`, s, steps, {
        texts: 1,
        stateChanges: 2,
        check: (after) =>
          after?.confirmationSentFor === newer ? [] : ['confirmation not for the newer sign-up'],
      }),
    );
  }

  // inbound-sms: one message id delivered twice.
  {
    const s = await seedGoogleSubscriber(h, `rel-i${++seq}`, { level: 60 });
    ids.push(s.id);
    const message = inboundPayload(s.phone, 'SNOOZE 2h', `in-${randomUUID()}`);
    cases.push(
      await runCase(
        h,
        'inbound: SNOOZE delivered twice (same inboundMessageId)',
        s,
        [
          { handler: 'inbound', message },
          { handler: 'inbound', message },
        ],
        {
          texts: 1,
          stateChanges: 1,
          check: (after) => (after?.snoozeUntil ? [] : ['not snoozed']),
        },
      ),
    );
  }
  // inbound-sms: STOP, then texts the person sent before it, delivered after it.
  {
    const s = await seedGoogleSubscriber(h, `rel-i${++seq}`, { level: 60 });
    ids.push(s.id);
    const stop = inboundPayload(s.phone, 'STOP', `in-${randomUUID()}`);
    cases.push(
      await runCase(
        h,
        'inbound: STOP, then an older SNOOZE and THRESHOLD, then STOP again',
        s,
        [
          { handler: 'inbound', message: stop },
          { handler: 'inbound', message: inboundPayload(s.phone, 'SNOOZE 3h', `in-${randomUUID()}`) },
          { handler: 'inbound', message: inboundPayload(s.phone, 'THRESHOLD 15', `in-${randomUUID()}`) },
          { handler: 'inbound', message: stop },
        ],
        {
          // "stopped", then one "you are stopped" hint (the next is withheld: one an hour).
          texts: 2,
          stateChanges: 1,
          check: (after) => {
            const p: string[] = [];
            if (after?.state !== 'stopped') p.push(`state ${after?.state}, expected stopped`);
            if (after?.threshold !== 20) p.push(`threshold changed to ${after?.threshold}`);
            if (after?.snoozeUntil !== undefined) p.push('snoozed after STOP');
            return p;
          },
        },
      ),
    );
  }
  // inbound-sms: YES delivered twice, then YES again as a new text.
  {
    const s = await seedPending(h, `signup-${randomUUID()}`);
    ids.push(s.id);
    const yes = inboundPayload(s.phone, 'YES', `in-${randomUUID()}`);
    cases.push(
      await runCase(
        h,
        'inbound: YES delivered twice, then a second YES',
        s,
        [
          { handler: 'inbound', message: yes },
          { handler: 'inbound', message: yes },
          { handler: 'inbound', message: inboundPayload(s.phone, 'yes', `in-${randomUUID()}`) },
        ],
        {
          // The introductory text once; the second YES hears "already on".
          texts: 2,
          stateChanges: 1,
          check: (after) => (after?.state === 'active' ? [] : [`state ${after?.state}, expected active`]),
        },
      ),
    );
  }
  // A round afterwards publishes nothing to the stopped subscriber.
  h.clock.advance(60_000);
  const publishedBefore = [...h.sent.publishes.values()].reduce((a, b) => a + b, 0);
  await h.round(true);
  const publishedAfter = [...h.sent.publishes.values()].reduce((a, b) => a + b, 0);
  const problems = cases.flatMap((c) => c.problems.map((p) => `${c.name}: ${p}`));
  if (publishedAfter !== publishedBefore) problems.push('a round after STOP published alerts');
  await retire(h, ids);
  return { cases, problems };
}
