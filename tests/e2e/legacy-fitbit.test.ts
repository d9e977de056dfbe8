/**
 * The legacy Fitbit adapter on the running local stack (PROVIDER=fitbit): the same sign-up works
 * against the sandbox's Fitbit emulation, and once the API answers 410 the person is told clearly.
 */
import { Browser, messagesOf, secretsIn, signUpAndConfirm, useTestStack } from './stack';

const stack = useTestStack({ PROVIDER: 'fitbit' });

describe('the legacy Fitbit provider on the local stack', () => {
  it('signs up through Fitbit consent and sends the introductory text', async () => {
    const phone = '+12015550170';

    await signUpAndConfirm(stack, 'legacy-ann', phone);
    const texts = (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out');

    expect(texts[1]?.body).toContain('Charge 6: 80%');
  });

  it('asks for the legacy scopes at the Fitbit authorize endpoint', async () => {
    const response = await new Browser().postForm(`${stack.app}/signup`, {
      phone: '+12015550171',
      consent: 'yes',
    });
    const authorize = new URL(response.headers.get('location') ?? '');

    expect(authorize.pathname).toBe('/oauth2/authorize');
    expect(authorize.searchParams.get('scope')).toBe('settings profile');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('explains that the old Fitbit connection is gone when the API answers 410', async () => {
    const browser = new Browser();
    const signup = await browser.postForm(`${stack.app}/signup`, { phone: '+12015550172', consent: 'yes' });
    const authorize = new URL(signup.headers.get('location') ?? '');
    authorize.searchParams.set('sandbox_user', 'legacy-bob');
    const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '';
    await fetch(`${stack.sandbox}/sandbox/legacy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ retired: true }),
    });

    const page = await browser.get(callback);

    expect(page.status).toBe(502);
    expect(await page.text()).toContain('This Fitbit connection no longer works');
  });

  it('stamps every application log line with its invocation: request id, cold start, function', () => {
    const lines = stack.logs
      .map((line) => line.replace(/^\[offline\] /, ''))
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return []; // a line split across output chunks
        }
      })
      .filter((line) => 'level' in line && 'service' in line);

    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({
        function_request_id: expect.stringMatching(/\S/),
        cold_start: expect.any(Boolean),
        function_name: expect.stringMatching(/\S/),
      });
    }
    // Each function's first invocation is its cold start, the later ones are not (as Lambda tells them).
    expect(new Set(lines.map((line) => line.cold_start))).toEqual(new Set([true, false]));
  });

  it('never writes a token, secret, verifier, code or full phone number into the logs', () => {
    expect(stack.logs.some((line) => line.includes('"level":"INFO"'))).toBe(true);
    expect(secretsIn(stack.logs)).toEqual([]);
  });
});
