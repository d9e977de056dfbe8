import { browserGate, findChromium, LAUNCH_ARGS, missingMessage, SYSTEM_BROWSERS } from './chromium';

const missing = { missing: missingMessage('not unpacked') };

describe('browserGate', () => {
  it('runs the browser tests when a Chromium is found', () => {
    const found = { found: { executablePath: '/usr/bin/chromium', args: [], source: 'test' } };
    expect(browserGate(found)).toEqual({ kind: 'run' });
  });

  it('fails with the hint, never skips, when no Chromium can be found', () => {
    const gate = browserGate(missing);

    expect(gate).toEqual({ kind: 'fail', reason: missingMessage('not unpacked') });
    expect(gate).toMatchObject({
      reason: expect.stringContaining('@sparticuz/chromium could not be unpacked'),
    });
  });
});

describe('findChromium', () => {
  it('uses CHROMIUM_PATH when it exists, and says so when it does not', () => {
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toEqual({
      found: { executablePath: process.execPath, args: LAUNCH_ARGS, source: 'CHROMIUM_PATH' },
    });
    expect(findChromium({ CHROMIUM_PATH: '/nowhere/chromium' })).toEqual({
      missing: 'CHROMIUM_PATH=/nowhere/chromium does not exist',
    });
  });

  it('falls back to the Chromium inside @sparticuz/chromium when system browsers are skipped', () => {
    const search = findChromium({ CHROMIUM_SKIP_SYSTEM: '1' });

    expect(search).toMatchObject({ found: { source: '@sparticuz/chromium' } });
    if (!('found' in search)) throw new Error(search.missing);
    expect(SYSTEM_BROWSERS).not.toContain(search.found.executablePath);
    expect(search.found.args).toContain('--no-sandbox');
    expect(search.found.args).not.toContain('--disable-web-security');
    expect(search.found.args).not.toContain('--single-process');
  }, 120_000);
});
