import { browserGate, missingMessage } from './chromium';

describe('browserGate', () => {
  it('runs the browser tests when Chromium is there, whatever the environment says', () => {
    expect(browserGate({ SKIP_BROWSER_TESTS: '1' }, true)).toEqual({ kind: 'run' });
    expect(browserGate({ CI: 'true' }, true)).toEqual({ kind: 'run' });
  });

  it('fails with the install hint when Chromium is missing on a developer machine', () => {
    const gate = browserGate({}, false, '/usr/bin/chromium');

    expect(gate.kind).toBe('fail');
    expect(gate).toMatchObject({
      reason: expect.stringContaining(
        'Chromium not found at /usr/bin/chromium: install it with `sudo apt-get install chromium` or run `bash .ci/install-chromium.sh`',
      ),
    });
    expect(gate).toMatchObject({ reason: expect.stringContaining('SKIP_BROWSER_TESTS=1') });
  });

  it('skips, saying why, only when asked with SKIP_BROWSER_TESTS=1', () => {
    const gate = browserGate({ SKIP_BROWSER_TESTS: '1' }, false, '/usr/bin/chromium');

    expect(gate).toEqual({
      kind: 'skip',
      reason: `browser tests skipped (SKIP_BROWSER_TESTS=1): ${missingMessage('/usr/bin/chromium')}`,
    });
    expect(browserGate({ SKIP_BROWSER_TESTS: 'yes' }, false).kind).toBe('fail');
  });

  it('never skips in CI, even when asked to', () => {
    for (const CI of ['true', '1']) {
      const gate = browserGate({ CI, SKIP_BROWSER_TESTS: '1' }, false, '/usr/bin/chromium');

      expect(gate.kind).toBe('fail');
      expect(gate).toMatchObject({ reason: expect.stringContaining('never skipped in CI') });
    }
  });
});
