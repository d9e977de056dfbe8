/**
 * What the browser tests share: whether Chromium is here (and what to do when it is not), launching
 * Debian's Chromium through playwright-core, axe-core checks, CSP watching and screenshots.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's package; CHROMIUM_PATH points elsewhere (e.g. to check the missing-browser path). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(__dirname, '..', '..', '..', 'artifacts', 'screenshots');
export const WIDTHS = [375, 1280] as const;

export function missingMessage(path = CHROMIUM_PATH): string {
  return `Chromium not found at ${path}: install it with \`sudo apt-get install chromium\` or run \`bash .ci/install-chromium.sh\``;
}

export type BrowserGate =
  | { kind: 'run' }
  | { kind: 'skip'; reason: string }
  | { kind: 'fail'; reason: string };

/**
 * Browser tests never pass silently without a browser: they fail with the install hint, unless a
 * developer asks to skip them (SKIP_BROWSER_TESTS=1). CI never skips.
 */
export function browserGate(
  env: NodeJS.ProcessEnv,
  chromiumExists: boolean,
  path = CHROMIUM_PATH,
): BrowserGate {
  if (chromiumExists) return { kind: 'run' };
  const missing = missingMessage(path);
  if (env.CI === 'true' || env.CI === '1') {
    return { kind: 'fail', reason: `${missing} (CI=true: browser tests are never skipped in CI)` };
  }
  if (env.SKIP_BROWSER_TESTS === '1') {
    return { kind: 'skip', reason: `browser tests skipped (SKIP_BROWSER_TESTS=1): ${missing}` };
  }
  return { kind: 'fail', reason: `${missing} (or set SKIP_BROWSER_TESTS=1 to skip them locally)` };
}

/** `describe` that runs only with Chromium, and otherwise fails or visibly skips as the gate says. */
export function describeInBrowser(name: string, body: () => void): void {
  const gate = browserGate(process.env, existsSync(CHROMIUM_PATH));
  if (gate.kind === 'run') {
    describe(name, body);
    return;
  }
  if (gate.kind === 'skip') {
    console.warn(gate.reason);
    describe(name, () => {
      it.skip(gate.reason, () => {});
    });
    return;
  }
  describe(name, () => {
    it('needs Chromium', () => {
      throw new Error(gate.reason);
    });
  });
}

/** Launch flags for a root user in a container: no sandbox, no GPU, nothing phoning home. */
export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Playwright gives every launch a fresh temporary user-data-dir and removes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: LAUNCH_ARGS });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core on the page. The pages' CSP refuses injected scripts, so this only works in a
 * context created with `bypassCSP: true`; the CSP itself is checked in normal contexts.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as {
      axe: { run(context: unknown, options: unknown): Promise<unknown> };
      document: unknown;
    };
    const result = (await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
    })) as { violations: AxeViolation[] };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

export function serious(violations: AxeViolation[]): AxeViolation[] {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Collects anything the browser says about a CSP violation or an uncaught page error. */
export function watchCsp(context: BrowserContext): string[] {
  const problems: string[] = [];
  context.on('page', (page) => watchPage(page, problems));
  for (const page of context.pages()) watchPage(page, problems);
  return problems;
}

function watchPage(page: Page, problems: string[]) {
  page.on('console', (msg) => {
    const text = msg.text();
    if (/content security policy|refused to (load|execute|apply|connect|send)/i.test(text)) {
      problems.push(`${page.url()}: ${text}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: page error ${error.message}`));
}

/** Inline scripts, inline handlers and style attributes: none may be served under a strict CSP. */
export function inlineCode(htmlText: string): string[] {
  const found: string[] = [];
  for (const m of htmlText.matchAll(/<script\b([^>]*)>/gi)) {
    if (!/\bsrc\s*=/.test(m[1] ?? '')) found.push(m[0]);
  }
  for (const m of htmlText.matchAll(/<[a-z][^>]*\s(style|on[a-z]+)\s*=[^>]*>/gi)) found.push(m[0]);
  for (const m of htmlText.matchAll(/<style\b[^>]*>/gi)) found.push(m[0]);
  for (const m of htmlText.matchAll(/javascript:/gi)) found.push(m[0]);
  return found;
}

/** Saves the page at each width as artifacts/screenshots/<name>-<width>.png (kept by CI). */
/** The bits of the browser's globals the tests read inside `page.evaluate` (no DOM lib here). */
export interface BrowserGlobals {
  document: { activeElement: { id: string; tagName: string } | null };
  getComputedStyle(element: unknown): { outlineStyle: string; outlineWidth: string };
  [marker: string]: unknown;
}

export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize();
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 600 ? 812 : 800 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
