/**
 * What the browser tests share: finding a Chromium with no manual step (the system's, else the one
 * that ships inside the @sparticuz/chromium npm package), launching it through playwright-core,
 * axe-core checks, CSP watching and screenshots.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const ROOT = join(__dirname, '..', '..', '..');
export const SCREENSHOT_DIR = join(ROOT, 'artifacts', 'screenshots');
export const WIDTHS = [375, 1280] as const;

/** Where Linux distributions and Google put their browsers. */
export const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
];

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

/**
 * Flags in @sparticuz/chromium's list (made for one page in a Lambda) that do not suit these tests:
 * two would make the browser kinder than a person's (pages must pass with the same-origin policy and
 * mixed-content blocking on), and a single-process browser dies when a second context opens.
 */
const DROPPED_ARGS = new Set([
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--single-process',
]);

export interface FoundChromium {
  executablePath: string;
  args: string[];
  env?: Record<string, string>;
  /** Where it came from, for the test log. */
  source: string;
}

export type ChromiumSearch = { found: FoundChromium } | { missing: string };

/**
 * CHROMIUM_PATH when set; else the system's Chromium or Chrome (unless CHROMIUM_SKIP_SYSTEM=1, which
 * proves the fallback on a machine that has one); else the binary inside @sparticuz/chromium,
 * unpacked once to the temp folder.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumSearch {
  if (env.CHROMIUM_PATH) {
    return existsSync(env.CHROMIUM_PATH)
      ? { found: { executablePath: env.CHROMIUM_PATH, args: LAUNCH_ARGS, source: 'CHROMIUM_PATH' } }
      : { missing: `CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist` };
  }
  if (env.CHROMIUM_SKIP_SYSTEM !== '1') {
    const system = SYSTEM_BROWSERS.find((path) => existsSync(path));
    if (system) return { found: { executablePath: system, args: LAUNCH_ARGS, source: system } };
  }
  return bundledChromium();
}

/**
 * The package is an ES module that unpacks its brotli files on first use. Asked in a child process,
 * because jest's CommonJS module system cannot import it, and because the answer is needed while the
 * test file is still being loaded.
 */
function bundledChromium(): ChromiumSearch {
  const script = `import('@sparticuz/chromium').then(async ({ default: c }) =>
    process.stdout.write(JSON.stringify({ path: await c.executablePath(), args: c.args })))`;
  try {
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const { path, args } = JSON.parse(out) as { path: string; args: string[] };
    return {
      found: {
        executablePath: path,
        args: [...args.filter((a) => !DROPPED_ARGS.has(a)), '--no-sandbox'],
        // The package's own fonts, so pages render legible text on a machine with none installed.
        env: { FONTCONFIG_PATH: join(tmpdir(), 'fonts') },
        source: '@sparticuz/chromium',
      },
    };
  } catch (error) {
    return { missing: missingMessage(String((error as Error).message).split('\n')[0] ?? '') };
  }
}

export function missingMessage(detail: string): string {
  return `No Chromium found: none of ${SYSTEM_BROWSERS.join(', ')} exists and @sparticuz/chromium could not be unpacked (${detail}). Run \`npm install\`, or point CHROMIUM_PATH at a Chromium or Chrome`;
}

export type BrowserGate = { kind: 'run' } | { kind: 'fail'; reason: string };

/**
 * Browser tests never pass silently and are never skipped: without a browser they fail with the hint.
 * (The Chromium inside @sparticuz/chromium comes with `npm install`, so a fresh machine has one.)
 */
export function browserGate(search: ChromiumSearch): BrowserGate {
  return 'found' in search ? { kind: 'run' } : { kind: 'fail', reason: search.missing };
}

let search: ChromiumSearch | undefined;

/** `describe` that runs with Chromium, and otherwise fails saying why. */
export function describeInBrowser(name: string, body: () => void): void {
  search ??= findChromium();
  const gate = browserGate(search);
  if (gate.kind === 'run') {
    describe(name, body);
    return;
  }
  describe(name, () => {
    it('needs Chromium', () => {
      throw new Error(gate.reason);
    });
  });
}

/** The Chromium the tests use (see findChromium). */
export function chromiumInUse(): FoundChromium {
  search ??= findChromium();
  if (!('found' in search)) throw new Error(search.missing);
  return search.found;
}

/** Playwright gives every launch a fresh temporary user-data-dir and removes it on close. */
export function launchChromium(): Promise<Browser> {
  const { executablePath, args, env } = chromiumInUse();
  return chromium.launch({
    executablePath,
    headless: true,
    args,
    ...(env ? { env: { ...process.env, ...env } as Record<string, string> } : {}),
  });
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
