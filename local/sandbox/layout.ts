/**
 * The one page shell every sandbox page uses: mobile viewport, shared stylesheet, the shared script
 * (small enhancements such as the consent screen's "new account" field) and an optional page script.
 * Scripts are external files only: the pages' CSP allows no inline script.
 */
import { html, type SafeHtml } from './http';

export function page(title: string, body: SafeHtml, script?: string): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · sandbox</title>
<link rel="stylesheet" href="/sandbox/static/sandbox.css">
<script src="/sandbox/static/sandbox.js" defer></script>
${script ? html`<script src="/sandbox/static/${script}" defer></script>` : ''}
</head>
<body>
<header class="bar"><a href="/sandbox">Sandbox</a><nav aria-label="Sandbox"><a href="/sandbox/phone">Phones</a> <a href="/sandbox/devices">Devices</a></nav></header>
<main>
${body}
</main>
</body>
</html>
`.value;
}
