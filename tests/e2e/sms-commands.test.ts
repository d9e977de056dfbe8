/**
 * The two-way SMS commands on the running local stack, texted from the sandbox's phone network the
 * way AWS End User Messaging delivers them, and answered in the same thread.
 */
import { messagesOf, outboundTexts, secretsIn, signUpAndConfirm, textFromPhone, useTestStack } from './stack';

const stack = useTestStack();

/** Texts `body` and returns the reply, after checking exactly one came. */
async function ask(phone: string, body: string, id?: string): Promise<string> {
  const before = (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out').length;
  await textFromPhone(stack.sandbox, phone, body, id);
  const after = await outboundTexts(stack, phone, before + 1);
  expect(after).toHaveLength(before + 1);
  return after[before] as string;
}

async function outCount(phone: string): Promise<number> {
  return (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out').length;
}

describe('SMS commands on the local stack', () => {
  const phone = '+12015550180';

  beforeAll(async () => {
    await signUpAndConfirm(stack, 'sms-alice', phone);
  }, 60_000);

  it('answers HELP with the commands and how to stop', async () => {
    const reply = await ask(phone, 'help');

    expect(reply).toContain('STATUS');
    expect(reply).toContain('STOP');
  });

  it('answers STATUS with each device, its level and when it synced', async () => {
    const reply = await ask(phone, 'Status?');

    expect(reply).toMatch(/Charge 6: 80%, synced \d+m ago/);
  });

  it('snoozes for a duration and says until when, and SNOOZE OFF ends it', async () => {
    expect(await ask(phone, 'snooze 3h')).toMatch(/snoozed until \w{3} \d{1,2}:\d{2} (AM|PM)/);
    expect(await ask(phone, 'SNOOZE OFF')).toContain('back on');
  });

  it('explains a snooze it cannot read', async () => {
    expect(await ask(phone, 'snooze whenever')).toContain('SNOOZE 3h');
  });

  it('sets the threshold and the quiet hours', async () => {
    expect(await ask(phone, 'threshold 15')).toContain('15% or below');
    expect(await ask(phone, 'threshold 90')).toContain('5 to 50');
    expect(await ask(phone, 'quiet 23-6')).toContain('23:00-06:00');
  });

  it('acts once on a message delivered twice', async () => {
    const before = await outCount(phone);
    await textFromPhone(stack.sandbox, phone, 'STATUS', 'dup-status-1');
    await textFromPhone(stack.sandbox, phone, 'STATUS', 'dup-status-1');

    expect(await outboundTexts(stack, phone, before + 1)).toHaveLength(before + 1);
  });

  it('hints at the commands for anything else, at most once an hour', async () => {
    expect(await ask(phone, 'hello there')).toContain('commands');
    const before = await outCount(phone);
    await textFromPhone(stack.sandbox, phone, 'are you a robot');
    await stack.settled();

    expect(await outCount(phone)).toBe(before);
  });

  it('answers a number that is not a subscriber once with the sign-up link, then stays quiet', async () => {
    const stranger = '+12015550189';
    const reply = await ask(stranger, 'STATUS');
    await textFromPhone(stack.sandbox, stranger, 'hello?');
    await stack.settled();

    expect(reply).toContain(`${stack.app}/`);
    expect(await outCount(stranger)).toBe(1);
  });

  it('erases everything on DELETE and confirms in one last text', async () => {
    const other = '+12015550181';
    await signUpAndConfirm(stack, 'sms-bob', other);

    const reply = await ask(other, 'DELETE');
    const afterwards = await ask(other, 'STATUS');

    expect(reply).toContain('deleted');
    expect(afterwards).toContain('not signed up');
  });

  it('never writes a token, secret, verifier, code or full phone number into the logs', () => {
    expect(
      stack.logs.some((line) => line.includes('"level":"DEBUG"') || line.includes('"level":"INFO"')),
    ).toBe(true);
    expect(secretsIn(stack.logs)).toEqual([]);
  });
});
