/**
 * The product's pages: sign-up, what happens next, errors in plain words, privacy, terms. Everything
 * interpolated is escaped by the `html` template; no page carries a script.
 */
import type { NotTextedReason } from '../domain/lifecycle';
import { texts } from '../domain/messages';
import { type Html, html, page } from './html';

export interface SignupView {
  phone?: string;
  errors?: { phone?: 'empty' | 'invalid'; consent?: 'missing' };
  /** The provider sends sync notifications: offer faster alerts (off unless ticked). */
  fasterOffered?: boolean;
  /** Faster alerts ticked (kept when the form comes back with an error). */
  faster?: boolean;
}

const CONSENT_ERROR = 'Tick the box to agree to the texts.';

const PHONE_ERRORS = {
  empty: 'Enter your mobile number.',
  invalid:
    'That does not look like a mobile number. Check it and include the country code if outside the US.',
};

export function signupPage(view: SignupView = {}): string {
  const phoneError = view.errors?.phone ? PHONE_ERRORS[view.errors.phone] : undefined;
  const consentError = view.errors?.consent ? CONSENT_ERROR : undefined;
  const problems = [
    phoneError ? { field: 'phone', text: phoneError } : undefined,
    consentError ? { field: 'consent', text: consentError } : undefined,
  ].filter((p) => p !== undefined);
  // The first field with a problem gets the focus on load: no script needed for that.
  const focus = (field: string) => (problems[0]?.field === field ? html` autofocus` : '');
  const summary = problems.length
    ? html`<div class="errors" role="alert" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">There is a problem</h2>
<ul>${problems.map((p) => html`<li><a href="#${p.field}">${p.text}</a></li>`)}</ul>
</div>`
    : '';
  const title = 'Get a text when your Fitbit battery is low';
  return page({
    title: problems.length ? `Error: ${title}` : title,
    body: html`<div class="card">
<h1>${title}</h1>
<p>Fitbit only emails. We text you once when a tracker, watch or scale runs low, so you can charge it in time.</p>
${summary}
<form method="post" action="/signup" novalidate>
<div class="field">
<label for="phone">Mobile number</label>
<p class="hint" id="phone-hint">For example (201) 555-0123, or +44 7400 123456 outside the US.</p>
${phoneError ? html`<p class="error" id="phone-error"><span class="visually-hidden">Error: </span>${phoneError}</p>` : ''}
<input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required maxlength="32"
 value="${view.phone ?? ''}" aria-describedby="phone-hint${phoneError ? ' phone-error' : ''}"${
   phoneError ? html` aria-invalid="true"` : ''
 }${focus('phone')}>
</div>
<div class="field">
${consentError ? html`<p class="error" id="consent-error"><span class="visually-hidden">Error: </span>${consentError}</p>` : ''}
<div class="consent">
<input id="consent" name="consent" type="checkbox" value="yes" required${
      consentError ? html` aria-invalid="true" aria-describedby="consent-error"` : ''
    }${focus('consent')}>
<label for="consent">Text me when a Fitbit battery is low (at most 3 texts a day, usually far fewer).
Reply STOP to stop, HELP for help. Message and data rates may apply.</label>
</div>
</div>
${view.fasterOffered ? fasterField(view.faster === true) : ''}<button type="submit">Continue to Google to connect Fitbit</button>
</form>
<p class="hint">Next, Google asks you to let us read your devices' battery levels. We read nothing else.
<a href="/privacy">What we store, and how to delete it</a>. <a href="/terms">Terms</a>.</p>
</div>`,
  });
}

/**
 * The faster-alerts opt-in: off by default, and it says what the extra permission is for. Google asks
 * for read access to activity and health metrics, because only those send sync notifications; the
 * service reads none of it.
 */
function fasterField(checked: boolean): Html {
  return html`<div class="field">
<div class="consent">
<input id="faster" name="faster" type="checkbox" value="yes" aria-describedby="faster-hint"${
    checked ? html` checked` : ''
  }>
<label for="faster">Faster alerts: let us know when your tracker syncs</label>
</div>
<p class="hint" id="faster-hint">Optional. Google will also ask to let us see your activity and health
measurements. We never read or store that data: Google only tells us that your tracker or scale just
synced, so we check its battery straight away instead of waiting for our next look.</p>
</div>
`;
}

/** What the texts look like, from the same code that writes them. */
const EXAMPLE_ZONE = 'America/New_York';
const EXAMPLE_DEVICES = [
  { name: 'Charge 6', level: 80 },
  { name: 'Aria Air', status: 'High' },
];

const NOT_TEXTED: Record<NotTextedReason, string> = {
  number_capped:
    'This number already had our limit of sign-up texts today, so we did not send another. Try again tomorrow.',
  account_capped:
    'This Google account already asked us to text several different numbers today, so we did not text another. Try again tomorrow.',
  opted_out:
    'This number replied STOP to us before, so we cannot text it. Text START to our number, then sign up again.',
};

/** The sign-up could not be texted: say so plainly, and that nothing changed. */
export function notTextedPage(reason: NotTextedReason, maskedPhone: string): string {
  return page({
    title: 'We could not text your number',
    body: html`<div class="card"><h1>We could not text ${maskedPhone}</h1>
<p>${NOT_TEXTED[reason]}</p>
<p>Nothing was saved and nothing else changed.</p>
<p><a class="button" href="/">Back to sign-up</a></p></div>`,
  });
}

/**
 * `maskedPhone`: the number the confirmation text goes to, masked, so a mistyped number is noticed
 * here rather than by a stranger.
 */
export function successPage(
  kind: 'pending' | 'restored',
  maskedPhone: string,
  faster?: 'on' | 'scope_not_granted',
): string {
  const fasterNote =
    faster === 'on'
      ? html`<p>Faster alerts are on: when Google tells us your tracker or scale synced, we check its battery straight away.</p>`
      : faster === 'scope_not_granted'
        ? html`<p>Faster alerts are off: the permission they need was not ticked on Google's page. Battery alerts work as usual; sign up again if you want faster alerts.</p>`
        : '';
  if (kind === 'restored') {
    return page({
      title: 'Welcome back',
      body: html`<div class="card"><h1>Welcome back</h1>
<p>Your Fitbit is connected again and battery alerts are back on for ${maskedPhone}. Nothing else to do.</p>
${fasterNote}<p>Text STATUS to see your battery levels, or STOP to stop.</p>
<p><a href="/privacy">What we store, and how to delete it</a></p></div>`,
    });
  }
  return page({
    title: 'Check your phone',
    body: html`<div class="card"><h1>Check your phone and reply YES</h1>
<p>Your Fitbit is connected. We are texting ${maskedPhone} now to check the number is yours.
Not your number? Do nothing: without a YES from that phone, nothing more is sent.</p>
${fasterNote}<ol class="steps">
<li><strong>Reply YES and the code</strong> in our text. Nothing else is sent until you do.</li>
<li>You get one text with your devices' battery levels.</li>
<li>From then on, one text when a battery runs low: at most 3 a day, never at night.</li>
</ol>
<h2>What the texts look like</h2>
<p class="sms-label">Our first text, now:</p>
<p class="sms">${texts.confirm('4821')}</p>
<p class="sms-label">After your YES:</p>
<p class="sms">${texts.intro(EXAMPLE_DEVICES, EXAMPLE_ZONE)}</p>
<p class="sms-label">When a battery runs low:</p>
<p class="sms">${texts.low({ name: 'Charge 6', level: 14 }, 9)}</p>
<h2>No text after a few minutes?</h2>
<ul>
<li>Texts can take a little while on some networks.</li>
<li>Check the number you typed, then <a href="/">sign up again</a>.</li>
<li>If your phone blocks texts from unknown senders, allow ours and sign up again.</li>
</ul>
<p class="hint">If you do not reply YES within 24 hours, we delete this sign-up.</p></div>`,
  });
}

export type ErrorKind =
  | 'bad_state'
  | 'denied'
  | 'missing_scope'
  | 'expired_code'
  | 'account_not_linked'
  | 'legacy_login'
  | 'provider_unavailable'
  | 'provider_retired'
  | 'bad_request'
  | 'cross_site'
  | 'country'
  | 'not_found'
  | 'internal';

const ERRORS: Record<ErrorKind, { title: string; text: string; steps?: string[] }> = {
  bad_state: {
    title: 'This sign-up link has expired',
    text: 'The link was already used, is more than 10 minutes old, or was opened in another browser. Start again; it takes a minute.',
  },
  denied: {
    title: 'Fitbit was not connected',
    text: 'You chose not to share your devices, so we cannot watch their batteries. Nothing was saved. You can try again whenever you like.',
  },
  missing_scope: {
    title: 'We need one more permission',
    text: 'To see battery levels we need the permission to read your device settings. Try again and leave that box ticked. Nothing was saved.',
  },
  expired_code: {
    title: 'The sign-in took too long',
    text: 'Google did not accept the sign-in any more. Start again; nothing was saved.',
  },
  account_not_linked: {
    title: 'This Google account has no Fitbit data',
    text: 'Google says the account you chose has no Google Health profile: it was never linked to a Fitbit, or its Fitbit account has not been moved to Google yet. We saved nothing, texted nothing and gave the access back.',
    steps: [
      'Open the Fitbit app on your phone and follow its prompt to move your Fitbit account to a Google account (or finish setting up Fitbit with Google).',
      'Or, if your Fitbit already uses another Google account, try again and choose that account on the Google page.',
    ],
  },
  legacy_login: {
    title: 'Sign in with the Google account your Fitbit uses',
    text: 'The sign-in was made with an old Fitbit login instead of a Google account, so Google does not let us read the devices. We saved nothing, texted nothing and gave the access back.',
    steps: [
      'In the Fitbit app, check which Google account your Fitbit uses (You, then your profile, then Account).',
      'Try again and, on the Google page, choose that Google account rather than your Fitbit e-mail and password.',
    ],
  },
  provider_unavailable: {
    title: 'Google is not answering right now',
    text: 'We could not reach Google to finish connecting your Fitbit. Nothing was saved. Please try again in a few minutes.',
  },
  provider_retired: {
    title: 'This Fitbit connection no longer works',
    text: 'The old Fitbit sign-in was switched off by Fitbit on 2 November 2026. This service now connects through Google.',
  },
  bad_request: {
    title: 'Something was wrong with that request',
    text: 'Your browser sent something we could not read. Go back to the sign-up page and try again.',
  },
  cross_site: {
    title: 'This sign-up did not come from our page',
    text: 'Another website tried to sign you up. Nothing was saved. If you want battery texts, sign up on our own page.',
  },
  country: {
    title: 'We cannot text numbers in that country yet',
    text: 'This service only texts numbers in the countries it is set up for. Nothing was saved.',
  },
  not_found: { title: 'Page not found', text: 'There is nothing at this address.' },
  internal: {
    title: 'Something went wrong on our side',
    text: 'Nothing you did caused this. Please try again in a few minutes.',
  },
};

export function errorPage(kind: ErrorKind): string {
  const { title, text, steps } = ERRORS[kind];
  const action = kind === 'not_found' ? 'Go to the sign-up page' : 'Try again';
  const howTo = steps
    ? html`<h2>How to fix it</h2><ol class="steps">${steps.map((step) => html`<li>${step}</li>`)}</ol>`
    : '';
  return page({
    title,
    body: html`<div class="card"><h1>${title}</h1><p>${text}</p>${howTo}<p><a class="button" href="/">${action}</a></p></div>`,
  });
}

export function privacyPage(): string {
  return page({
    title: 'Privacy',
    body: html`<div class="card"><h1>What we store, and for how long</h1>
<ul>
<li><strong>Your mobile number</strong>, to text you.</li>
<li><strong>Access to your Fitbit device list</strong> (a Google sign-in token), to read battery levels. We read nothing else: no steps, sleep or heart data.</li>
<li><strong>If you chose faster alerts:</strong> Google also lets us know, by a notification, when your tracker or scale syncs. That needs your permission to see activity and health measurements, but we never read or store them: we keep only the time of the last notification, to check your battery at most once every half hour.</li>
<li><strong>Each device's last battery level and sync time</strong>, to text once per low battery rather than every hour.</li>
<li>Your time zone, so we never text at night.</li>
</ul>
<p>A sign-up you do not confirm with YES is deleted within 24 hours. After you text STOP we keep your settings for 30 days in case you text START, then delete everything.</p>
<p><strong>To delete everything now, text DELETE.</strong> We revoke our access at Google and erase your number and settings, and confirm in one last text.</p>
<p>We never sell or share your number, and we send nothing but battery alerts and answers to your texts.</p>
<p><a href="/">Back to sign-up</a></p></div>`,
  });
}

/** The terms of the text program: what carriers and number registration ask a sender to publish. */
export function termsPage(): string {
  return page({
    title: 'Terms',
    body: html`<div class="card"><h1>Terms of the battery texts</h1>
<ul>
<li><strong>What you get:</strong> a text when a Fitbit device's battery runs low (at most 3 texts a day, usually far fewer), and answers to the texts you send us. Nothing else, never marketing.</li>
<li><strong>How you join:</strong> you sign up on this site, connect your Fitbit through Google, and reply YES to our first text. Nothing is sent before that YES.</li>
<li><strong>How you stop:</strong> reply STOP at any time; we send no more texts. Reply START to resume. Text DELETE to erase everything now.</li>
<li><strong>Help:</strong> reply HELP for what the service is and the commands you can text.</li>
<li><strong>Cost:</strong> the service is free. Message and data rates from your carrier may apply.</li>
<li><strong>No guarantee:</strong> carriers may delay or drop texts, and battery levels come from Google; we cannot promise every alert arrives on time.</li>
</ul>
<p>How we handle your number and data: <a href="/privacy">privacy</a>.</p>
<p><a href="/">Back to sign-up</a></p></div>`,
  });
}
