import { texts } from '../../../src/domain/messages';
import {
  type ErrorKind,
  errorPage,
  notTextedPage,
  privacyPage,
  signupPage,
  successPage,
  termsPage,
} from '../../../src/web/pages';

/** The opening tag of the element with this id. */
function tagWithId(page: string, id: string): string {
  const match = page.match(new RegExp(`<[a-z]+[^>]*\\bid="${id}"[^>]*>`, 's'));
  if (!match) throw new Error(`no element with id ${id}`);
  return match[0];
}

describe('signupPage', () => {
  it('renders a form posting to /signup with a phone field and a consent box, no errors', () => {
    const out = signupPage();

    expect(out).toContain('<form method="post" action="/signup"');
    expect(tagWithId(out, 'phone')).toContain('aria-describedby="phone-hint"');
    expect(tagWithId(out, 'phone')).not.toContain('aria-invalid');
    expect(tagWithId(out, 'consent')).not.toContain('aria-invalid');
    expect(out).not.toContain('role="alert"');
    expect(out).not.toMatch(/<script/i);
  });

  it('escapes the phone value the person typed', () => {
    const out = signupPage({ phone: '"><script>alert(1)</script>', errors: { phone: 'invalid' } });

    expect(out).not.toContain('<script>');
    expect(tagWithId(out, 'phone')).toContain('value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"');
  });

  it('ties a phone error to the field', () => {
    const out = signupPage({ phone: '555', errors: { phone: 'invalid' } });

    const input = tagWithId(out, 'phone');
    expect(input).toContain('aria-invalid="true"');
    expect(input).toContain('aria-describedby="phone-hint phone-error"');
    expect(out).toMatch(/<p class="error" id="phone-error">.*That does not look like a mobile number/);
    expect(out).toContain('role="alert"');
    expect(tagWithId(out, 'consent')).not.toContain('aria-invalid');
  });

  it('asks for a number when the field was empty', () => {
    const out = signupPage({ phone: '', errors: { phone: 'empty' } });

    expect(out).toMatch(/<p class="error" id="phone-error">.*Enter your mobile number\.<\/p>/);
  });

  it('ties a consent error to the checkbox', () => {
    const out = signupPage({ phone: '(201) 555-0123', errors: { consent: 'missing' } });

    const box = tagWithId(out, 'consent');
    expect(box).toContain('aria-invalid="true"');
    expect(box).toContain('aria-describedby="consent-error"');
    expect(out).toContain('id="consent-error"');
    expect(tagWithId(out, 'phone')).not.toContain('aria-invalid');
    expect(tagWithId(out, 'phone')).toContain('value="(201) 555-0123"');
  });

  it('lists both errors in the summary when both fields are wrong', () => {
    const out = signupPage({ errors: { phone: 'invalid', consent: 'missing' } });

    const summary = out.match(/<div class="errors" role="alert"[^>]*>.*?<\/div>/s)?.[0] ?? '';
    expect(summary.match(/<li>/g)).toHaveLength(2);
  });

  it('links each error in the summary to its field, and names the summary', () => {
    const out = signupPage({ errors: { phone: 'invalid', consent: 'missing' } });

    const summary = out.match(/<div class="errors"[^>]*>.*?<\/div>/s)?.[0] ?? '';
    expect(summary).toContain('aria-labelledby="error-summary-title"');
    expect(summary).toContain('<h2 id="error-summary-title">There is a problem</h2>');
    expect(summary).toContain('<a href="#phone">That does not look like a mobile number');
    expect(summary).toContain('<a href="#consent">Tick the box');
  });

  it('prefixes the title with "Error:" and focuses the first field with a problem', () => {
    const both = signupPage({ errors: { phone: 'invalid', consent: 'missing' } });
    const consentOnly = signupPage({ phone: '(201) 555-0123', errors: { consent: 'missing' } });

    expect(both).toMatch(/<title>Error: /);
    expect(tagWithId(both, 'phone')).toContain('autofocus');
    expect(tagWithId(both, 'consent')).not.toContain('autofocus');
    expect(tagWithId(consentOnly, 'consent')).toContain('autofocus');
    expect(signupPage()).not.toMatch(/<title>Error|autofocus/);
  });

  it('asks for the number with the right input type, autocomplete and a format hint', () => {
    const input = tagWithId(signupPage(), 'phone');

    expect(input).toContain('type="tel"');
    expect(input).toContain('autocomplete="tel"');
    expect(input).toContain('inputmode="tel"');
    expect(signupPage()).toContain('<label for="phone">Mobile number</label>');
    expect(tagWithId(signupPage(), 'phone-hint')).toBeTruthy();
  });

  it('says in plain words what we text, how often at most, STOP/HELP and rates, and links privacy', () => {
    const label = signupPage().match(/<label for="consent">(.*?)<\/label>/s)?.[1] ?? '';

    expect(label).toMatch(/battery is low/);
    expect(label).toMatch(/at most 3 texts a day/);
    expect(label).toMatch(/STOP/);
    expect(label).toMatch(/HELP/);
    expect(label).toMatch(/rates may apply/);
    expect(signupPage()).toContain('href="/privacy"');
  });
});

describe('notTextedPage', () => {
  it.each([
    ['number_capped', 'Try again tomorrow'],
    ['account_capped', 'Try again tomorrow'],
    ['opted_out', 'Text START'],
  ] as const)('says plainly that %s kept the text from going, and that nothing changed', (reason, advice) => {
    const out = notTextedPage(reason, '+1******0123');

    expect(out).toContain('We could not text +1******0123');
    expect(out).toContain(advice);
    expect(out).toContain('Nothing was saved');
    expect(out).not.toContain('We are texting');
  });
});

describe('successPage', () => {
  it('asks the person to reply YES and shows the exact text they will get', () => {
    const out = successPage('pending', '+1******0123');

    expect(out).toContain('Reply YES');
    expect(out).toContain(texts.confirm('4821').replace(/&/g, '&#38;'));
  });

  it('shows the masked number that is being texted, so a typo is noticed here', () => {
    expect(successPage('pending', '+1******0123')).toContain('We are texting +1******0123 now');
    expect(successPage('restored', '+1******0123')).toContain('+1******0123');
  });

  it('shows the introduction and an alert as the service writes them, and what to do if nothing arrives', () => {
    const out = successPage('pending', '+1******0123');

    expect(out).toContain(
      texts.intro(
        [
          { name: 'Charge 6', level: 80 },
          { name: 'Aria Air', status: 'High' },
        ],
        'America/New_York',
      ),
    );
    expect(out).toContain(texts.low({ name: 'Charge 6', level: 14 }, 9));
    expect(out).toContain('No text after a few minutes?');
    expect(out).toContain('<a href="/">sign up again</a>');
  });

  it('welcomes back a restored subscriber without asking for YES', () => {
    const out = successPage('restored', '+1******0123');

    expect(out).toContain('Welcome back');
    expect(out).not.toContain('reply YES');
  });
});

describe('errorPage', () => {
  const kinds: ErrorKind[] = [
    'bad_state',
    'denied',
    'missing_scope',
    'expired_code',
    'provider_unavailable',
    'provider_retired',
    'bad_request',
    'not_found',
    'internal',
  ];

  it.each(kinds)('renders %s with a heading and a way back to the start', (kind) => {
    const out = errorPage(kind);

    expect(out).toMatch(/<h1>[^<]+<\/h1>/);
    expect(out).toContain('href="/"');
    expect(out).not.toMatch(/<script|Error:|stack/i);
  });

  it('gives each kind its own title', () => {
    const titles = new Set(kinds.map((k) => errorPage(k).match(/<h1>([^<]+)<\/h1>/)?.[1]));

    expect(titles.size).toBe(kinds.length);
  });
});

describe('privacyPage', () => {
  it('says what is stored and for how long', () => {
    const out = privacyPage();

    expect(out).toContain('mobile number');
    expect(out).toContain('24 hours');
    expect(out).not.toMatch(/<script/i);
  });
});

describe('termsPage', () => {
  it('states the program, opt-in, STOP/START/HELP, cost, and links privacy (what number registration asks for)', () => {
    const out = termsPage();

    expect(out).toContain('reply YES');
    expect(out).toMatch(/reply STOP/);
    expect(out).toMatch(/Reply START/);
    expect(out).toMatch(/reply HELP/);
    expect(out).toContain('Message and data rates');
    expect(out).toContain('href="/privacy"');
    expect(out).not.toMatch(/<script/i);
  });

  it('is linked from the sign-up page', () => {
    expect(signupPage()).toContain('href="/terms"');
  });
});

describe('the faster-alerts opt-in', () => {
  it('is offered unticked, labelled, and says the service never reads or stores that data', () => {
    const out = signupPage({ fasterOffered: true });
    const input = out.match(/<input id="faster"[^>]*>/)?.[0] ?? '';

    expect(input).toContain('name="faster"');
    expect(input).toContain('value="yes"');
    expect(input).toContain('type="checkbox"');
    expect(input).not.toContain('checked');
    expect(out).toContain('<label for="faster">Faster alerts: let us know when your tracker syncs</label>');
    expect(out).toMatch(/never read or store that data/);
  });

  it('stays ticked when the form comes back with an error', () => {
    const out = signupPage({ fasterOffered: true, faster: true, errors: { phone: 'invalid' } });

    expect(out.match(/<input id="faster"[^>]*>/)?.[0]).toContain(' checked');
  });

  it('is not offered where the provider sends no sync notifications (legacy Fitbit)', () => {
    expect(signupPage({ fasterOffered: false })).not.toContain('name="faster"');
  });

  it('is reported on the success page: on, or off because the permission was unticked', () => {
    expect(successPage('pending', '•••• 0123', 'on')).toMatch(/Faster alerts are on/);
    expect(successPage('restored', '•••• 0123', 'scope_not_granted')).toMatch(/Faster alerts are off/);
    expect(successPage('pending', '•••• 0123')).not.toMatch(/Faster alerts/);
  });
});
