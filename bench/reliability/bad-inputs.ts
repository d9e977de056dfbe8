/**
 * Malformed SNS events and payloads through the real handlers' parsing (sns-records.ts
 * forEachSnsMessage with the inbound two-way and new-subscriber schemas): each must be dropped with
 * a log line, without throwing (a throw would make SNS retry what can never succeed) and without any
 * effect. Bodies that are odd but valid (emoji, right-to-left scripts, control characters, the
 * 1,600-character maximum) are not bad inputs: each must be answered.
 */
import { randomUUID } from 'node:crypto';
import { type Harness, SERVICE_NUMBER, settle, snsEvent, textsTo } from './harness';
import { inboundPayload } from './sns-deliveries';

export interface BadInput {
  name: string;
  handler: 'inbound' | 'provision';
  event: unknown;
}

const PHONE = '+13125550199';
const good = (overrides: Record<string, unknown>) => ({
  ...inboundPayload(PHONE, 'HELP', `bad-${randomUUID()}`),
  ...overrides,
});
const without = (key: string) => {
  const payload: Record<string, unknown> = good({});
  delete payload[key];
  return payload;
};
const record = (sns: unknown) => ({ Records: [{ EventSource: 'aws:sns', Sns: sns }] });

export function badInputs(): BadInput[] {
  const inbound = (name: string, message: unknown): BadInput => ({
    name,
    handler: 'inbound',
    event: snsEvent(message),
  });
  const provision = (name: string, message: unknown): BadInput => ({
    name,
    handler: 'provision',
    event: snsEvent(message),
  });
  return [
    { name: 'no event at all', handler: 'inbound', event: undefined },
    { name: 'null event', handler: 'inbound', event: null },
    { name: 'empty object', handler: 'inbound', event: {} },
    { name: 'Records is a string', handler: 'inbound', event: { Records: 'nope' } },
    { name: 'a null record', handler: 'inbound', event: { Records: [null] } },
    { name: 'a record without Sns', handler: 'inbound', event: { Records: [{}] } },
    { name: 'Message is an object, not a string', handler: 'inbound', event: record({ Message: good({}) }) },
    { name: 'Message is a number', handler: 'inbound', event: record({ Message: 42 }) },
    inbound('not JSON', 'originationNumber=+13125550199&messageBody=HELP'),
    inbound('truncated JSON', '{"originationNumber": "+13125550199", "messageBody": "HE'),
    inbound('empty Message', ''),
    inbound('JSON null', 'null'),
    inbound('JSON array', '[]'),
    inbound('JSON string', '"HELP"'),
    inbound('missing originationNumber', without('originationNumber')),
    inbound('missing destinationNumber', without('destinationNumber')),
    inbound('missing messageBody', without('messageBody')),
    inbound('missing inboundMessageId', without('inboundMessageId')),
    inbound('messageBody is a number', good({ messageBody: 42 })),
    inbound('messageBody is null', good({ messageBody: null })),
    inbound('messageBody is an array', good({ messageBody: ['HELP'] })),
    inbound('originationNumber is a number', good({ originationNumber: 13125550199 })),
    inbound('number without +', good({ originationNumber: '13125550199' })),
    inbound('number with a leading 0', good({ originationNumber: '+02065550199' })),
    inbound('number with spaces and dashes', good({ originationNumber: '+1 206-555-0199' })),
    inbound('number too short', good({ originationNumber: '+12345' })),
    inbound('number too long', good({ originationNumber: '+1234567890123456' })),
    inbound('number with letters', good({ originationNumber: '+1206CALLNOW' })),
    inbound('destination is a short code name', good({ destinationNumber: 'SERVICE' })),
    inbound('1,601-character body', good({ messageBody: 'a'.repeat(1601) })),
    inbound('empty inboundMessageId', good({ inboundMessageId: '' })),
    inbound('129-character inboundMessageId', good({ inboundMessageId: 'x'.repeat(129) })),
    inbound('inboundMessageId is a number', good({ inboundMessageId: 7 })),
    inbound('__proto__ payload', '{"__proto__": {"originationNumber": "+13125550199"}}'),
    provision('new subscriber: empty object', {}),
    provision('new subscriber: missing signupId', { subscriberId: 'google#someone' }),
    provision('new subscriber: missing subscriberId', { signupId: 'signup-12345678' }),
    provision('new subscriber: signupId too short', { subscriberId: 'google#someone', signupId: 'abc' }),
    provision('new subscriber: signupId of 101 characters', {
      subscriberId: 'google#someone',
      signupId: 's'.repeat(101),
    }),
    provision('new subscriber: subscriberId is a number', { subscriberId: 123, signupId: 'signup-12345678' }),
    provision('new subscriber: not JSON', '{subscriberId: google#someone'),
    { name: 'new subscriber: not an SNS event', handler: 'provision', event: { detail: {} } },
  ];
}

/** Valid texts that look odd: each one must be answered, not dropped. */
export function oddButValidBodies(): Array<{ name: string; body: string }> {
  return [
    { name: 'emoji only', body: '🔋🔋🔋' },
    { name: 'command with emoji', body: 'STATUS 🔋?' },
    { name: 'Arabic (RTL)', body: 'ما هي حالة البطارية؟' },
    { name: 'Hebrew with RLM marks', body: '\u200fמה המצב\u200f' },
    { name: 'control characters', body: '\u0000\u0007\u001b[31mHELP\u001b[0m' },
    { name: 'zero-width characters', body: 'H\u200bE\u200dL\u2060P' },
    { name: 'whitespace only', body: ' \t\r\n ' },
    { name: 'empty body', body: '' },
    { name: 'fullwidth letters', body: 'ＳＴＡＴＵＳ' },
    { name: 'lone surrogate', body: 'help \ud83d' },
    { name: '1,600 characters (the maximum)', body: 'b'.repeat(1600) },
    { name: '800 emoji (1,600 UTF-16 units)', body: '🔋'.repeat(800) },
  ];
}

export interface BadInputRow {
  name: string;
  handler: 'inbound' | 'provision';
  rejected: boolean;
  /** What went wrong when it was not cleanly rejected. */
  problem?: string;
}

export interface OddRow {
  name: string;
  answered: boolean;
  outcome?: string;
  problem?: string;
}

export interface BadInputsResult {
  tried: number;
  rejected: number;
  rows: BadInputRow[];
  oddTried: number;
  oddAnswered: number;
  oddRows: OddRow[];
  problems: string[];
}

const DROPPED = /^dropped (a malformed SNS message|an event that is not an SNS event)$/;
const HANDLED = /^(inbound text|new subscriber) handled$/;

export async function runBadInputs(h: Harness): Promise<BadInputsResult> {
  const rows: BadInputRow[] = [];
  for (const input of badInputs()) {
    const from = h.logger.entries.length;
    const textsFrom = [...h.sent.texts.values()].reduce((a, b) => a + b, 0);
    const handler = input.handler === 'inbound' ? h.handlers.inboundSms : h.handlers.createUserTopic;
    const result = await settle(() => handler(input.event));
    const lines = h.logger.since(from);
    const textsAfter = [...h.sent.texts.values()].reduce((a, b) => a + b, 0);
    let problem: string | undefined;
    if (!result.ok) problem = `threw ${result.error}`;
    else if (lines.some((e) => HANDLED.test(e.message))) problem = 'acted on';
    else if (textsAfter !== textsFrom) problem = 'sent a text';
    else if (!lines.some((e) => DROPPED.test(e.message))) problem = 'dropped without a log line';
    rows.push({ name: input.name, handler: input.handler, rejected: problem === undefined, problem });
  }

  const oddRows: OddRow[] = [];
  for (const odd of oddButValidBodies()) {
    // A number of its own each: a non-subscriber hears the sign-up link once a day.
    const phone = h.phone();
    const from = h.logger.entries.length;
    const result = await settle(() =>
      h.handlers.inboundSms(
        snsEvent({
          originationNumber: phone,
          destinationNumber: SERVICE_NUMBER,
          messageBody: odd.body,
          inboundMessageId: `odd-${randomUUID()}`,
        }),
      ),
    );
    const handled = h.logger.since(from).find((e) => HANDLED.test(e.message));
    const texts = textsTo(h, phone).length;
    let problem: string | undefined;
    if (!result.ok) problem = `threw ${result.error}: ${result.message}`;
    else if (!handled) problem = 'not acted on';
    else if (texts !== 1) problem = `${texts} replies`;
    oddRows.push({
      name: odd.name,
      answered: problem === undefined,
      outcome: handled?.extra?.outcome as string | undefined,
      problem,
    });
  }
  const problems = [
    ...rows.filter((r) => !r.rejected).map((r) => `bad input "${r.name}": ${r.problem}`),
    ...oddRows.filter((r) => !r.answered).map((r) => `odd but valid "${r.name}": ${r.problem}`),
  ];
  return {
    tried: rows.length,
    rejected: rows.filter((r) => r.rejected).length,
    rows,
    oddTried: oddRows.length,
    oddAnswered: oddRows.filter((r) => r.answered).length,
    oddRows,
    problems,
  };
}
