import { escapeHtml, Html, html, page, securityHeaders } from '../../../src/web/html';

describe('escapeHtml', () => {
  it('escapes every character that can break out of text or an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>\`=&</a>`)).toBe(
      '&#60;a href&#61;&#34;x&#34; onclick&#61;&#39;y&#39;&#62;&#96;&#61;&#38;&#60;/a&#62;',
    );
  });

  it('renders null and undefined as empty and other values as strings', () => {
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });

  it('leaves ordinary text alone', () => {
    expect(escapeHtml('Charge 6 – 14% 🔋')).toBe('Charge 6 – 14% 🔋');
  });
});

describe('html', () => {
  it('escapes interpolated values', () => {
    const out = html`<p>${'<script>alert(1)</script>'}</p>`;

    expect(out).toBeInstanceOf(Html);
    expect(out.value).toBe('<p>&#60;script&#62;alert(1)&#60;/script&#62;</p>');
  });

  it('keeps an attribute value inside its quotes', () => {
    const value = '"><script>alert(1)</script>';

    const out = html`<input value="${value}">`.value;

    expect(out).not.toContain('<script');
    expect(out).not.toContain('"><');
    expect(out.match(/"/g)).toHaveLength(2);
  });

  it('nests Html without escaping it twice', () => {
    const inner = html`<b>${'a&b'}</b>`;

    expect(html`<p>${inner}</p>`.value).toBe('<p><b>a&#38;b</b></p>');
  });

  it('joins arrays, escaping plain strings and trusting Html items', () => {
    const items = [html`<li>${'<1>'}</li>`, '<li>raw</li>'];

    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>&#60;1&#62;</li>&#60;li&#62;raw&#60;/li&#62;</ul>');
  });

  it('renders an empty interpolation as nothing', () => {
    expect(html`a${undefined}b${''}c`.value).toBe('abc');
  });
});

describe('page', () => {
  it('escapes the title and carries no script', () => {
    const out = page({ title: '<img src=x onerror=alert(1)>', body: html`<p>hi</p>` });

    expect(out).toContain('<title>&#60;img src&#61;x onerror&#61;alert(1)&#62; · Fitbit Battery SMS</title>');
    expect(out).not.toMatch(/<script/i);
    expect(out).toMatch(/^<!doctype html>/);
    expect(out).toContain('<html lang="en">');
  });
});

describe('securityHeaders', () => {
  it("sets a CSP without 'unsafe-inline' or scripts, and forbids framing", () => {
    const headers = securityHeaders();

    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src/);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['strict-transport-security']).toMatch(/max-age=\d{8}/);
  });

  it('allows the form to post to itself only, by default', () => {
    expect(securityHeaders()['content-security-policy']).toContain("form-action 'self';");
  });

  it("allows the form's redirect to the provider's origin when given", () => {
    const csp = securityHeaders('https://accounts.example.test')['content-security-policy'];

    expect(csp).toContain("form-action 'self' https://accounts.example.test;");
  });
});

describe('page frame', () => {
  it('carries the brand, a privacy link and the SMS keywords on every page, with no third-party asset', () => {
    const out = page({ title: 'x', body: html`<p>hi</p>` });

    expect(out).toContain('<link rel="stylesheet" href="/style.css">');
    expect(out).toContain('Fitbit Battery SMS</a>');
    expect(out).toContain('href="/privacy"');
    expect(out).toMatch(/STOP/);
    expect(out).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(out).not.toMatch(/\sstyle=|<style/);
  });
});
