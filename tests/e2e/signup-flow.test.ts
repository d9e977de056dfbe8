/**
 * The whole sign-up story on the running local stack, over real HTTP: page -> form -> sandbox
 * consent -> callback -> SNS -> per-user topic -> "reply YES" text -> YES -> introductory text.
 */
import { Browser, messagesOf, outboundTexts, secretsIn, textFromPhone, useTestStack } from './stack';

const stack = useTestStack();

/** Submits the sign-up form and returns the provider URL it redirects to. */
async function submitSignup(browser: Browser, phone: string): Promise<URL> {
  const response = await browser.postForm(`${stack.app}/signup`, { phone, consent: 'yes' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '');
}

/** Approves at the sandbox as `user` (or applies extra sandbox params) and returns the callback URL. */
async function consent(authorize: URL, extra: Record<string, string>): Promise<string> {
  for (const [k, v] of Object.entries(extra)) authorize.searchParams.set(k, v);
  const response = await fetch(authorize, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return response.headers.get('location') ?? '';
}

describe('sign-up on the local stack', () => {
  it('serves the sign-up page with a strict CSP and the consent wording', async () => {
    const response = await fetch(`${stack.app}/`);
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(body).toContain('type="tel"');
    expect(body).toMatch(/Message and data rates may apply/);
    expect(body).toMatch(/STOP/);
  });

  it('re-renders the form with a clear message and HTTP 400 for an invalid number', async () => {
    const response = await new Browser().postForm(`${stack.app}/signup`, { phone: '12345', consent: 'yes' });
    const body = await response.text();

    expect(response.status).toBe(400);
    expect(body).toContain('does not look like a mobile number');
    expect(body).toContain('value="12345"');
  });

  it('re-renders the form with HTTP 400 when consent is missing', async () => {
    const response = await new Browser().postForm(`${stack.app}/signup`, { phone: '(201) 555-0150' });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Tick the box');
  });

  it('walks from the form to the introductory text, and a YES delivered twice acts once', async () => {
    const phone = '+12015550123';
    const browser = new Browser();

    const authorize = await submitSignup(browser, '(201) 555-0123');
    expect(authorize.origin).toBe(stack.sandbox);
    expect(authorize.searchParams.get('access_type')).toBe('offline');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('scope')).toContain('googlehealth.settings.readonly');

    const callback = await consent(authorize, { sandbox_user: 'e2e-alice' });
    const success = await browser.get(callback);
    expect(success.status).toBe(200);
    expect(await success.text()).toContain('reply YES');

    const [confirm] = await outboundTexts(stack, phone, 1);
    expect(confirm).toContain('reply YES');

    await textFromPhone(stack.sandbox, phone, ' Yes! ', 'dup-yes-1');
    await textFromPhone(stack.sandbox, phone, ' Yes! ', 'dup-yes-1');
    const texts = await outboundTexts(stack, phone, 2);

    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('Charge 6: 80%');

    await textFromPhone(stack.sandbox, phone, 'YES', 'second-yes');
    const after = await outboundTexts(stack, phone, 3);
    expect(after[2]).toContain('already subscribed');
  });

  it('answers a reused callback URL with a 400 page and stores nothing new', async () => {
    const browser = new Browser();
    const callback = await consent(await submitSignup(browser, '(201) 555-0124'), {
      sandbox_user: 'e2e-bob',
    });
    expect((await browser.get(callback)).status).toBe(200);

    const again = await browser.get(callback);

    expect(again.status).toBe(400);
    expect(await again.text()).toContain('expired');
  });

  it('answers an unknown state with a 400 page', async () => {
    const response = await new Browser().get(`${stack.app}/oauth/callback?code=abc&state=${'x'.repeat(43)}`);

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Try again');
  });

  it('refuses a callback opened in a browser that did not start the sign-up', async () => {
    const phone = '+12015550125';
    const callback = await consent(await submitSignup(new Browser(), '(201) 555-0125'), {
      sandbox_user: 'e2e-carol',
    });

    const response = await new Browser().get(callback);

    expect(response.status).toBe(400);
    await stack.settled();
    expect(await messagesOf(stack.sandbox, phone)).toEqual([]);
  });

  it('shows a friendly page that offers to try again when consent is denied', async () => {
    const browser = new Browser();
    const callback = await consent(await submitSignup(browser, '(201) 555-0126'), { sandbox_deny: '1' });

    const response = await browser.get(callback);
    const body = await response.text();

    expect(body).toContain('Fitbit was not connected');
    expect(body).toContain('Try again');
  });

  it('explains the missing permission when the person unticks the scope', async () => {
    const browser = new Browser();
    const callback = await consent(await submitSignup(browser, '(201) 555-0127'), {
      sandbox_user: 'e2e-dave',
      sandbox_scope: 'openid',
    });

    const response = await browser.get(callback);

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('one more permission');
  });

  it('never writes a token, secret, verifier, code or full phone number into the logs', async () => {
    const all = stack.logs.join('\n');
    // The application's own structured logs are in there, so the check looks at real output.
    expect(all).toContain('"message":"sign-up started"');
    expect(all).toContain('"message":"inbound text"');

    expect(secretsIn(stack.logs)).toEqual([]);
  });
});
