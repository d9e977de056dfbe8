/**
 * The pages people use, in Debian's Chromium against the real local stack: the whole sign-up with a
 * reply on the sandbox phone, the error paths, the CSP, axe-core and keyboard-only use. Screenshots of
 * every page at 375 and 1280 px go to artifacts/screenshots/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { secretsIn, useTestStack } from '../stack';
import {
  type AxeViolation,
  axeViolations,
  type BrowserGlobals,
  describeInBrowser,
  inlineCode,
  launchChromium,
  screenshots,
  serious,
  watchCsp,
} from './chromium';

/** Ports of their own, so this file can run while other e2e files or `npm start` are up. */
const PHONE_SIZE = { width: 375, height: 812 };

describeInBrowser('pages in Chromium', () => {
  const stack = useTestStack();
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  async function newPage(options: { bypassCSP?: boolean } = {}): Promise<{ page: Page; csp: string[] }> {
    const context = await browser.newContext({ viewport: PHONE_SIZE, ...options });
    contexts.push(context);
    const csp = watchCsp(context);
    return { page: await context.newPage(), csp };
  }

  /** Fills and submits the sign-up form with the mouse, as most people would. */
  async function submitSignup(page: Page, phone: string, consent = true) {
    await page.goto(`${stack.app}/`);
    await page.getByLabel('Mobile number').fill(phone);
    if (consent) await page.getByRole('checkbox', { name: /Text me when/ }).check();
    await page.getByRole('button', { name: /Continue/ }).click();
  }

  async function onConsentScreen(page: Page) {
    await page.waitForURL((url) => url.origin === stack.sandbox && url.pathname === '/o/oauth2/v2/auth');
    await page.getByRole('heading', { name: /Sign in with Google/ }).waitFor();
  }

  /** Picks a new emulated account on the sandbox consent screen and allows access. */
  async function approveAsNewUser(page: Page, user: string) {
    await page.getByRole('radio', { name: /New account/ }).check();
    await page.locator('input[name="new_user"]').fill(user);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.origin === stack.app && url.pathname === '/oauth/callback');
  }

  function thread(page: Page, e164: string) {
    return page.locator(`ol.thread[data-phone="${e164}"]`);
  }

  it('walks the whole sign-up: form, consent, success, the YES text on the phone, YES, the introduction', async () => {
    const { page, csp } = await newPage();
    const e164 = '+12015550140';

    await page.goto(`${stack.app}/`);
    await screenshots(page, 'signup');
    await submitSignup(page, '(201) 555-0140');
    await onConsentScreen(page);
    await approveAsNewUser(page, 'browser-alice');

    await page.getByRole('heading', { name: 'Check your phone and reply YES' }).waitFor();
    await screenshots(page, 'success');

    await page.goto(`${stack.sandbox}/sandbox/phone`);
    await thread(page, e164)
      .getByText(/reply YES/)
      .waitFor({ timeout: 20_000 });
    // A marker that survives only if the page is never reloaded from here on.
    await page.evaluate(() => {
      (globalThis as unknown as BrowserGlobals).stillHere = true;
    });
    const reply = page.locator(`section:has(ol.thread[data-phone="${e164}"]) input[name="body"]`);
    await reply.fill('YES');
    await reply.press('Enter');

    await thread(page, e164)
      .getByText(/Charge 6: 80%/)
      .waitFor({ timeout: 20_000 });
    const bubbles = await thread(page, e164).locator('li').allInnerTexts();
    expect(bubbles).toHaveLength(3);
    expect(bubbles[0]).toMatch(/^Service:/);
    expect(bubbles[1]).toMatch(/^Phone:\s*YES/);
    expect(await reply.inputValue()).toBe('');
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).stillHere)).toBe(true);
    await screenshots(page, 'sandbox-phone');

    expect(csp).toEqual([]);
  });

  it('keeps the number and shows an error tied to the field for an invalid number', async () => {
    const { page, csp } = await newPage();

    await submitSignup(page, '12345');

    await expect(page.getByRole('heading', { name: 'There is a problem' }).isVisible()).resolves.toBe(true);
    const field = page.getByLabel('Mobile number');
    expect(await field.inputValue()).toBe('12345');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.evaluate((el) => (el as unknown as { labels: unknown[] }).labels.length)).toBe(1);
    const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`#${describedBy.split(' ').pop()}`).textContent()).toMatch(
      /does not look like a mobile number/,
    );
    expect(await page.title()).toMatch(/^Error: /);
    // The summary's link takes the person to the field.
    await page.getByRole('link', { name: /does not look like a mobile number/ }).click();
    expect(
      await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.id),
    ).toBe('phone');
    await screenshots(page, 'signup-invalid-number');
    expect(csp).toEqual([]);
  });

  it('asks for consent when the box was not ticked, keeping the number', async () => {
    const { page, csp } = await newPage();

    await submitSignup(page, '(201) 555-0141', false);

    const box = page.getByRole('checkbox', { name: /Text me when/ });
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#consent-error').textContent()).toMatch(/Tick the box/);
    expect(await page.getByLabel('Mobile number').inputValue()).toBe('(201) 555-0141');
    await screenshots(page, 'signup-consent-missing');
    expect(csp).toEqual([]);
  });

  it('explains a refusal at the provider and leads back to the sign-up page', async () => {
    const { page, csp } = await newPage();
    const created = await fetch(`${stack.sandbox}/sandbox/devices/user`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=browser-listed',
      redirect: 'manual',
    });
    expect(created.status).toBe(303);

    await submitSignup(page, '(201) 555-0142');
    await onConsentScreen(page);
    // The consent screen lists the emulated users to pick from, and offers a new one.
    await page.getByRole('radio', { name: /browser-listed/ }).waitFor();
    await page.getByRole('radio', { name: /New account/ }).waitFor();
    await screenshots(page, 'sandbox-consent');
    await page.getByRole('button', { name: 'Deny' }).click();

    await page.waitForURL((url) => url.origin === stack.app && url.pathname === '/oauth/callback');
    await page.getByRole('heading', { name: 'Fitbit was not connected' }).waitFor();
    await screenshots(page, 'error-denied');
    await page.getByRole('link', { name: 'Try again' }).click();
    await page.waitForURL(`${stack.app}/`);
    await page.getByLabel('Mobile number').waitFor();
    expect(csp).toEqual([]);
  });

  it('completes the sign-up form with the keyboard only, with a visible focus at each step', async () => {
    const { page, csp } = await newPage();
    await page.goto(`${stack.app}/`);
    const focused = () =>
      page.evaluate(() => {
        const w = globalThis as unknown as BrowserGlobals;
        const el = w.document.activeElement;
        const style = el ? w.getComputedStyle(el) : undefined;
        return { id: el?.id ?? '', tag: el?.tagName ?? '', outline: style?.outlineStyle ?? 'none' };
      });

    for (let i = 0; i < 5 && (await focused()).id !== 'phone'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ id: 'phone' });
    await page.keyboard.type('(201) 555-0143');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ id: 'consent', outline: 'solid' });
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    // The faster-alerts opt-in, left unticked.
    expect(await focused()).toMatchObject({ id: 'faster', outline: 'solid' });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'BUTTON', outline: 'solid' });
    await page.keyboard.press('Enter');

    await onConsentScreen(page);
    expect(csp).toEqual([]);
  });

  it('fits a 320 px wide screen without sideways scrolling', async () => {
    const { page } = await newPage();
    await page.setViewportSize({ width: 320, height: 640 });
    const overflow = () =>
      page.evaluate(() => {
        const doc = (globalThis as unknown as BrowserGlobals).document as unknown as {
          documentElement: { scrollWidth: number; clientWidth: number };
        };
        return doc.documentElement.scrollWidth - doc.documentElement.clientWidth;
      });

    await page.goto(`${stack.app}/`);
    expect(await overflow()).toBe(0);
    await page.getByRole('button', { name: /Continue/ }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    expect(await overflow()).toBe(0);
    await page.goto(`${stack.app}/privacy`);
    expect(await overflow()).toBe(0);
  });

  it('changes a battery level with the slider and the status with the select, without a reload', async () => {
    const { page, csp } = await newPage();
    const devices = async () =>
      (await (await fetch(`${stack.sandbox}/sandbox/users/browser-devices/devices`)).json()) as {
        batteryLevel?: number;
        batteryStatus?: string;
      }[];

    // Creating the user is a plain form POST that redirects back.
    await page.goto(`${stack.sandbox}/sandbox/devices`);
    await page.getByLabel('User id').fill('browser-devices');
    await page.getByRole('button', { name: 'Create user' }).click();
    const card = page.locator('section#pbrowser-devices');
    await card.waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as BrowserGlobals).stillHere = true;
    });

    await card.getByLabel('Battery level').fill('12');
    await card.getByRole('status').getByText('Saved').waitFor();
    expect(await card.locator('output').textContent()).toBe('12%');
    expect(await devices()).toMatchObject([{ batteryLevel: 12, batteryStatus: 'Low' }]);
    expect(await card.getByLabel('Status').inputValue()).toBe('Low');

    await card.getByLabel('Status').selectOption('Empty');
    await expect(
      (async () => {
        for (let i = 0; i < 50; i++) {
          const [device] = await devices();
          if (device?.batteryStatus === 'Empty') return device;
          await new Promise((r) => setTimeout(r, 100));
        }
        return devices();
      })(),
    ).resolves.toMatchObject({ batteryLevel: 12, batteryStatus: 'Empty' });
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).stillHere)).toBe(true);
    expect(csp).toEqual([]);
  });

  it('serves every page without inline script or style, and the CSP blocks what is injected', async () => {
    const { page, csp } = await newPage();
    const urls = [
      `${stack.app}/`,
      `${stack.app}/privacy`,
      `${stack.app}/terms`,
      `${stack.sandbox}/sandbox`,
      `${stack.sandbox}/sandbox/phone`,
      `${stack.sandbox}/sandbox/devices`,
    ];
    for (const url of urls) {
      const response = await page.goto(url);
      const csp = response?.headers()['content-security-policy'] ?? '';
      expect({ url, csp: csp.includes('unsafe-inline') }).toEqual({ url, csp: false });
      expect({ url, inline: inlineCode((await response?.text()) ?? '') }).toEqual({ url, inline: [] });
    }
    await page.goto(`${stack.app}/privacy`);
    await screenshots(page, 'privacy');
    await page.goto(`${stack.sandbox}/sandbox`);
    await screenshots(page, 'sandbox-index');
    await page.goto(`${stack.sandbox}/sandbox/devices`);
    await screenshots(page, 'sandbox-devices');
    expect(csp).toEqual([]);

    // The policy is enforced, not just sent: an injected inline script does not run.
    await page.goto(`${stack.app}/`);
    await page.addScriptTag({ content: 'window.injected = true;' }).catch(() => undefined);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).injected)).toBeUndefined();
    expect(csp.some((line) => /content security policy/i.test(line))).toBe(true);
  });

  it('has no serious or critical axe-core violations on any page', async () => {
    const { page } = await newPage({ bypassCSP: true });
    const found: Record<string, AxeViolation[]> = {};
    const check = async (name: string) => {
      found[name] = await axeViolations(page);
    };

    await page.goto(`${stack.app}/`);
    await check('signup');
    await submitSignup(page, '12345', false);
    await check('signup with errors');
    await page.goto(`${stack.app}/privacy`);
    await check('privacy');
    await page.goto(`${stack.app}/terms`);
    await check('terms');
    await submitSignup(page, '(201) 555-0144');
    await onConsentScreen(page);
    await check('sandbox consent');
    await approveAsNewUser(page, 'browser-axe');
    await check('success');
    await submitSignup(page, '(201) 555-0145');
    await onConsentScreen(page);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((url) => url.origin === stack.app && url.pathname === '/oauth/callback');
    await check('error: denied');
    for (const path of ['/sandbox', '/sandbox/phone', '/sandbox/devices']) {
      await page.goto(`${stack.sandbox}${path}`);
      await check(path);
    }

    const summary = Object.entries(found).map(([name, list]) => ({
      page: name,
      violations: list.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length})`),
    }));
    console.log(`axe-core results:\n${JSON.stringify(summary, null, 2)}`);
    const blocking = Object.fromEntries(
      Object.entries(found)
        .map(([name, list]) => [name, serious(list)] as const)
        .filter(([, list]) => list.length > 0),
    );
    expect(blocking).toEqual({});
  });

  it('never writes a token, secret, verifier, code or full phone number into the logs', () => {
    expect(stack.logs.some((line) => line.includes('"message":"sign-up started"'))).toBe(true);
    expect(secretsIn(stack.logs)).toEqual([]);
  });
});
