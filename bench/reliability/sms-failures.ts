/**
 * Texts that cannot be sent, through the sandbox's SMS fault target and its opt-out list: a throttled
 * send (429 -> ThrottlingException), a number that opted out at the carrier (STOP texted to the
 * sandbox's phone network, which the app never hears of: both the SMS and the SNS lists take it), and
 * an undeliverable send (400 -> ValidationException). For each: no crash, something recorded (a log
 * line or the handler's outcome), and no retry loop: the SNS/Lambda redelivery (at most 3 attempts
 * for an asynchronous invocation, then the DLQ) is the only retry, so each delivery may try once.
 */
import { randomUUID } from 'node:crypto';
import {
  activeFaults,
  addFault,
  clearFaults,
  type Harness,
  retire,
  sandboxCall,
  seedGoogleSubscriber,
  settle,
  snsEvent,
  textsTo,
} from './harness';
import { inboundPayload, seedPending } from './sns-deliveries';

/** Lambda runs an asynchronous (SNS) invocation at most 3 times, then hands it to the DLQ. */
export const MAX_DELIVERIES = 3;
/**
 * The AWS SDK's standard retry mode makes up to 3 attempts per call for throttling and 5xx: a
 * throttle must last that long before the use case sees it.
 */
const SDK_ATTEMPTS = 3;
/** A fault that lasts: the number never becomes valid. */
const PERMANENT = 1000;

export interface SmsCase {
  name: string;
  /** Deliveries made (a redelivery only follows a delivery that threw, up to MAX_DELIVERIES). */
  deliveries: number;
  /** How each delivery ended: "ok" or the error name it threw. */
  endings: string[];
  /** SendTextMessage/Publish calls the app made (through the Messenger port). */
  sendAttempts: number;
  /**
   * Requests that reached the sandbox and met the armed fault: above sendAttempts when the AWS SDK's
   * own retry (standard mode, 3 attempts for throttling and 5xx) tried again inside one call.
   */
  faultedRequests?: number;
  texts: number;
  expectedTexts: number;
  /** How the failure was handled: swallowed (logged, not retried), or rethrown for SNS to retry. */
  handling:
    | 'swallowed'
    | 'rethrown, then delivered'
    | 'rethrown each delivery (bounded, then DLQ)'
    | 'stopped';
  logged: string[];
  ok: boolean;
  problems: string[];
}

export interface SmsFailuresResult {
  cases: SmsCase[];
  problems: string[];
}

/** Opt a number out the way a person does: STOP texted to the carrier, never reaching the app. */
async function optOutAtCarrier(h: Harness, phone: string) {
  await sandboxCall(h, 'POST', `/sandbox/phones/${encodeURIComponent(phone)}/messages`, { body: 'STOP' });
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** Delivers like SNS + Lambda: again after a throw, at most MAX_DELIVERIES times; then `extra` more. */
async function deliver(run: () => Promise<unknown>, extra = 0): Promise<string[]> {
  const endings: string[] = [];
  for (let i = 0; i < MAX_DELIVERIES; i++) {
    const result = await settle(run);
    endings.push(result.ok ? 'ok' : result.error);
    if (result.ok) break;
  }
  for (let i = 0; i < extra; i++) {
    const result = await settle(run);
    endings.push(result.ok ? 'ok (redelivered)' : result.error);
  }
  return endings;
}

export async function runSmsFailures(h: Harness): Promise<SmsFailuresResult> {
  const cases: SmsCase[] = [];
  const ids: string[] = [];

  async function measure(
    name: string,
    phone: string,
    expected: { texts: number; handling: SmsCase['handling']; endings: string[] },
    act: () => Promise<string[]>,
    check: () => Promise<string[]> = async () => [],
    armed?: number,
  ) {
    const logFrom = h.logger.entries.length;
    const attemptsFrom = sum(h.sent.texts) + sum(h.sent.publishes);
    const textsFrom = textsTo(h, phone).length;
    const endings = await act();
    const left = (await activeFaults(h)).reduce((n, f) => n + f.remaining, 0);
    await clearFaults(h);
    const faultedRequests = armed === undefined ? undefined : armed - left;
    const problems: string[] = [];
    const texts = textsTo(h, phone).length - textsFrom;
    const sendAttempts = sum(h.sent.texts) + sum(h.sent.publishes) - attemptsFrom;
    if (texts !== expected.texts)
      problems.push(`${texts} texts reached the phone, expected ${expected.texts}`);
    if (JSON.stringify(endings) !== JSON.stringify(expected.endings))
      problems.push(`deliveries ended ${endings.join(', ')}, expected ${expected.endings.join(', ')}`);
    if (sendAttempts > endings.length)
      problems.push(`${sendAttempts} send attempts for ${endings.length} deliveries`);
    if (faultedRequests !== undefined && faultedRequests > sendAttempts * SDK_ATTEMPTS)
      problems.push(
        `${faultedRequests} requests for ${sendAttempts} sends: retried beyond the SDK's attempts`,
      );
    const logged = h.logger
      .since(logFrom)
      .filter((e) => e.level !== 'debug' && e.message !== 'inbound text')
      .map((e) => `${e.level}: ${e.message}${e.extra?.error ? ` (${e.extra.error})` : ''}`);
    const thrown = endings.filter((e) => !e.startsWith('ok')).length;
    if (logged.length === 0 && thrown === 0) problems.push('nothing recorded');
    problems.push(...(await check()));
    cases.push({
      name,
      deliveries: endings.length,
      endings,
      sendAttempts,
      faultedRequests,
      texts,
      expectedTexts: expected.texts,
      handling: expected.handling,
      logged: [...new Set(logged)],
      ok: problems.length === 0,
      problems,
    });
  }

  // The "reply YES" text.
  {
    const signupId = `signup-${randomUUID()}`;
    const s = await seedPending(h, signupId);
    ids.push(s.id);
    await addFault(h, { target: 'sms', phone: s.phone, status: 429, times: SDK_ATTEMPTS });
    await measure(
      'confirmation text throttled (429 ThrottlingException)',
      s.phone,
      {
        texts: 1,
        handling: 'rethrown, then delivered',
        endings: ['ThrottlingException', 'ok', 'ok (redelivered)'],
      },
      () => deliver(() => h.handlers.createUserTopic(snsEvent({ subscriberId: s.id, signupId })), 1),
      undefined,
      SDK_ATTEMPTS,
    );
  }
  {
    const signupId = `signup-${randomUUID()}`;
    const s = await seedPending(h, signupId);
    ids.push(s.id);
    await optOutAtCarrier(h, s.phone);
    await measure(
      'confirmation text to an opted-out number',
      s.phone,
      { texts: 0, handling: 'swallowed', endings: ['ok', 'ok (redelivered)'] },
      () => deliver(() => h.handlers.createUserTopic(snsEvent({ subscriberId: s.id, signupId })), 1),
    );
  }
  {
    const signupId = `signup-${randomUUID()}`;
    const s = await seedPending(h, signupId);
    ids.push(s.id);
    await addFault(h, { target: 'sms', phone: s.phone, status: 400, times: PERMANENT });
    await measure(
      'confirmation text refused (400 ValidationException)',
      s.phone,
      {
        texts: 0,
        handling: 'rethrown each delivery (bounded, then DLQ)',
        endings: ['ValidationException', 'ValidationException', 'ValidationException'],
      },
      () => deliver(() => h.handlers.createUserTopic(snsEvent({ subscriberId: s.id, signupId }))),
      async () => {
        const after = await h.deps.subscribers.getSubscriber(s.id, h.clock.now);
        return after?.confirmationSentFor === undefined ? [] : ['claim kept after a failed send'];
      },
      PERMANENT,
    );
  }

  // Replies to inbound texts.
  {
    const s = await seedGoogleSubscriber(h, `rel-sms-${randomUUID().slice(0, 8)}`, { level: 60 });
    ids.push(s.id);
    await addFault(h, { target: 'sms', phone: s.phone, status: 429, times: SDK_ATTEMPTS });
    const message = inboundPayload(s.phone, 'STATUS', `in-${randomUUID()}`);
    await measure(
      'STATUS reply throttled (429 ThrottlingException)',
      s.phone,
      {
        texts: 1,
        handling: 'rethrown, then delivered',
        endings: ['ThrottlingException', 'ok', 'ok (redelivered)'],
      },
      () => deliver(() => h.handlers.inboundSms(snsEvent(message)), 1),
      undefined,
      SDK_ATTEMPTS,
    );
  }
  {
    const s = await seedGoogleSubscriber(h, `rel-sms-${randomUUID().slice(0, 8)}`, { level: 60 });
    ids.push(s.id);
    await optOutAtCarrier(h, s.phone);
    // INFO, not HELP: with AWS-managed keywords AWS answers HELP itself and the service stays quiet.
    const message = inboundPayload(s.phone, 'INFO', `in-${randomUUID()}`);
    await measure(
      'help (INFO) reply to an opted-out number',
      s.phone,
      { texts: 0, handling: 'swallowed', endings: ['ok', 'ok (redelivered)'] },
      () => deliver(() => h.handlers.inboundSms(snsEvent(message)), 1),
    );
  }
  {
    const s = await seedGoogleSubscriber(h, `rel-sms-${randomUUID().slice(0, 8)}`, { level: 60 });
    ids.push(s.id);
    await addFault(h, { target: 'sms', phone: s.phone, status: 400, times: PERMANENT });
    const message = inboundPayload(s.phone, 'INFO', `in-${randomUUID()}`);
    await measure(
      'help (INFO) reply refused (400 ValidationException)',
      s.phone,
      {
        texts: 0,
        handling: 'rethrown each delivery (bounded, then DLQ)',
        endings: ['ValidationException', 'ValidationException', 'ValidationException'],
      },
      () => deliver(() => h.handlers.inboundSms(snsEvent(message))),
      undefined,
      PERMANENT,
    );
  }

  // A battery alert to a number that opted out at the carrier: the subscriber is stopped.
  {
    const s = await seedGoogleSubscriber(h, `rel-sms-${randomUUID().slice(0, 8)}`, { level: 12 });
    ids.push(s.id);
    await optOutAtCarrier(h, s.phone);
    await measure(
      'battery alert to an opted-out number',
      s.phone,
      { texts: 0, handling: 'stopped', endings: ['ok', 'ok', 'ok'] },
      async () => {
        const endings: string[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await settle(() => h.round(i > 0));
          endings.push(r.ok ? 'ok' : r.error);
          h.clock.advance(3600_000);
        }
        return endings;
      },
      async () => {
        const after = await h.deps.subscribers.getSubscriber(s.id, h.clock.now);
        const p: string[] = [];
        if (after?.state !== 'stopped') p.push(`state ${after?.state}, expected stopped`);
        if ((h.sent.publishes.get(s.topicArn ?? '') ?? 0) > 0) p.push('an alert was published to the topic');
        return p;
      },
    );
  }
  const problems = cases.flatMap((c) => c.problems.map((p) => `${c.name}: ${p}`));
  await retire(h, ids);
  return { cases, problems };
}
