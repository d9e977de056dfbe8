/**
 * HTML building blocks: escaping, the page frame, and the security headers every page carries
 * (a strict CSP with no inline scripts, no framing, HSTS, no referrer to other sites).
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`=]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Marks a string as already-safe HTML so templates can nest without double escaping. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Tagged template: interpolated values are escaped unless they are Html. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const rendered = Array.isArray(value)
      ? value.map((v) => (v instanceof Html ? v.value : escapeHtml(v))).join('')
      : value instanceof Html
        ? value.value
        : escapeHtml(value);
    out += rendered + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export interface PageOptions {
  title: string;
  body: Html;
}

export function page({ title, body }: PageOptions): string {
  return `<!doctype html>
${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Fitbit Battery SMS</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header class="brand"><div class="wrap"><a href="/"><span class="logo" aria-hidden="true"></span>Fitbit Battery SMS</a></div></header>
<main>
${body}
</main>
<footer><a href="/privacy">Privacy: what we store</a><p>Text HELP for help, STOP to stop, DELETE to erase your data.</p></footer>
</body>
</html>`}`;
}

/**
 * Headers for every page. `formTarget` is the provider's origin: the sign-up form is answered with a
 * redirect there, and CSP's form-action applies to that redirect too.
 */
export function securityHeaders(formTarget?: string): Record<string, string> {
  const formAction = ["'self'", formTarget].filter(Boolean).join(' ');
  return {
    'content-security-policy': `default-src 'none'; style-src 'self'; img-src 'self'; form-action ${formAction}; base-uri 'none'; frame-ancestors 'none'`,
    'strict-transport-security': 'max-age=63072000; includeSubDomains',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // No referrer ever leaves for another site; our own form's POST still carries our Origin (with
    // no-referrer browsers send "Origin: null", which the sign-up's cross-site check must refuse).
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}
