/**
 * Battery monitoring on the running local stack: a subscriber signs up and confirms, a device goes
 * low at the sandbox, a forced round texts once; the next round texts nothing.
 */
import { TOLL_FREE_STOP_REPLY } from '../../local/sandbox';
import {
  eventually,
  messagesOf,
  outboundTexts,
  pollNow,
  sandboxJson,
  secretsIn,
  signUpInDaytime,
  textFromPhone,
  useTestStack,
} from './stack';

const stack = useTestStack();

describe('battery monitoring on the local stack', () => {
  it('texts exactly once when a device goes low, and not again on the next round', async () => {
    const phone = '+12015550160';
    await signUpInDaytime(stack, 'mon-alice', phone);
    const now = new Date().toISOString();
    await sandboxJson(stack, 'PUT', '/sandbox/users/mon-alice/devices', [
      {
        deviceType: 'TRACKER',
        batteryStatus: 'Low',
        batteryLevel: 14,
        deviceVersion: 'Charge 6',
        lastSyncTime: now,
      },
      {
        deviceType: 'SCALE',
        batteryStatus: 'High',
        batteryLevel: 90,
        deviceVersion: 'Aria Air',
        lastSyncTime: now,
      },
    ]);

    const first = await pollNow(stack);
    const afterFirst = await outboundTexts(stack, phone, 3);
    const second = await pollNow(stack);
    await stack.settled();
    const afterSecond = (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out');

    expect(first.texted).toBe(1);
    expect(afterFirst[2]).toContain('Charge 6 battery low: 14%');
    expect(second.texted).toBe(0);
    expect(second.checked).toBeGreaterThanOrEqual(1);
    expect(afterSecond).toHaveLength(3);
  });

  it('sends nothing to a subscriber who texted STOP, and texts again after START', async () => {
    const phone = '+12015550161';
    await signUpInDaytime(stack, 'mon-bob', phone);
    await textFromPhone(stack.sandbox, phone, 'STOP');
    // The number is now on the opt-out list, as AWS keeps it; the handler has recorded the STOP once quiet.
    await stack.settled();
    await sandboxJson(stack, 'PUT', '/sandbox/users/mon-bob/devices', [
      {
        deviceType: 'TRACKER',
        batteryStatus: 'Low',
        batteryLevel: 9,
        deviceVersion: 'Inspire 3',
        lastSyncTime: new Date().toISOString(),
      },
    ]);

    await pollNow(stack);
    await stack.settled();
    const whileStopped = (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out');
    await textFromPhone(stack.sandbox, phone, 'START');
    await outboundTexts(stack, phone, 4);
    await pollNow(stack);
    const after = await eventually(async () => {
      const out = (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out');
      return out.length >= 5 ? out : undefined;
    }, 'the alert after START');

    // What the phone shows: the carriers answer STOP to a toll-free number; the service's own reply
    // and alerts are refused while the number is opted out.
    expect(whileStopped.map((m) => m.body)).toEqual([
      expect.any(String),
      expect.any(String),
      TOLL_FREE_STOP_REPLY,
    ]);
    expect(after[3]?.body).toContain('welcome back');
    expect(after[4]?.body).toContain('Inspire 3 battery low: 9%');
  });

  it('never writes a token, secret, verifier, code or full phone number into the logs', () => {
    expect(
      stack.logs.some((line) => line.includes('"level":"DEBUG"') || line.includes('"level":"INFO"')),
    ).toBe(true);
    expect(secretsIn(stack.logs)).toEqual([]);
  });
});
