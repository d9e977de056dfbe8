/**
 * The reliability campaign (bench/reliability), small: one harness with dynalite, the sandbox and the
 * local SNS emulator, the production wiring and the real handlers. `npm run report:reliability`
 * runs the same scenarios with bigger numbers and prints the figures.
 */
import { runBadInputs } from '../../bench/reliability/bad-inputs';
import { runConcurrency } from '../../bench/reliability/concurrency';
import { allFaults, runFaultCampaign } from '../../bench/reliability/faults';
import { startHarness } from '../../bench/reliability/harness';
import { runSmsFailures } from '../../bench/reliability/sms-failures';
import { runSnsDeliveries } from '../../bench/reliability/sns-deliveries';
import { useStarted } from '../support/use-started';

const h = useStarted(startHarness, (harness) => harness.close(), { timeoutMs: 60_000 });

describe('reliability campaign', () => {
  it('a round with every provider fault (8 kinds on token, devices and any call) completes, defers the faulty and texts everyone exactly once', async () => {
    const faults = allFaults();

    const result = await runFaultCampaign(h, { faults, faultyPerFault: 1, healthy: 16 });

    expect(result.problems).toEqual([]);
    expect(result.rows).toHaveLength(24);
    const [first, second, forced] = result.rounds;
    // Round 1: faults armed.
    expect(first).toMatchObject({ due: 40, texted: 16, deferred: 24, failed: 0 });
    // Round 2: faults cleared, 40 minutes on: only the deferred were due, and each is texted now.
    expect(second).toMatchObject({ due: 24, texted: 24, deferred: 0, failed: 0 });
    // Round 3: every access token expired at the provider, forced: all refresh, nobody texted again.
    expect(forced).toMatchObject({ due: 40, checked: 40, texted: 0, deferred: 0, failed: 0 });
    expect(result.roundsCompleted).toBe(3);
    expect(result.textedCorrectly).toBe(40);
    expect(result.duplicates).toBe(0);
    expect(result.tokensLost).toBe(0);
    for (const row of result.rows) expect(row).toMatchObject({ deferred: 1, textedAfterwards: 1 });
  }, 60_000);

  it('20 concurrent checks of one legacy Fitbit subscriber, over 3 expiries: one refresh each time, and the subscriber keeps working', async () => {
    const result = await runConcurrency(h, { concurrent: 20, expiries: 3 });

    expect(result.problems).toEqual([]);
    expect(result.expiries.map((e) => e.refreshes)).toEqual([1, 1, 1]);
    for (const e of result.expiries) {
      expect(e.outcomes.failed ?? 0).toBe(0);
      expect(e.outcomes.deferred ?? 0).toBe(0);
      expect(e.afterwards).toBe('checked');
    }
    expect(result.tokensLost).toBe(0);
  }, 60_000);

  it('duplicate and reordered SNS deliveries to create-user-topic and inbound-sms have one effect each', async () => {
    const result = await runSnsDeliveries(h);

    expect(result.problems).toEqual([]);
    const byName = Object.fromEntries(result.cases.map((c) => [c.name, c.outcomes]));
    expect(byName).toEqual({
      'new subscriber: same event delivered 3 times': ['confirmation_sent', 'already_sent', 'already_sent'],
      'new subscriber: older after newer': ['confirmation_sent', 'stale'],
      'new subscriber: older before newer': ['stale', 'confirmation_sent'],
      'inbound: SNOOZE delivered twice (same inboundMessageId)': ['snoozed', 'duplicate'],
      'inbound: STOP, then an older SNOOZE and THRESHOLD, then STOP again': [
        'stopped',
        'stopped_hint',
        'silenced',
        'duplicate',
      ],
      'inbound: YES delivered twice, then a second YES': ['confirmed', 'duplicate', 'already_active'],
    });
    for (const c of result.cases) {
      expect(c.texts).toBe(c.expectedTexts);
      expect(c.stateChanges).toBe(c.expectedStateChanges);
    }
  }, 60_000);

  it('SMS failures are recorded, never retried beyond the SNS/Lambda redelivery, and an opted-out number stops the subscriber', async () => {
    const result = await runSmsFailures(h);

    expect(result.problems).toEqual([]);
    const byName = Object.fromEntries(result.cases.map((c) => [c.name, c]));
    const throttled = byName['confirmation text throttled (429 ThrottlingException)'];
    expect(throttled).toMatchObject({ endings: ['ThrottlingException', 'ok', 'ok (redelivered)'], texts: 1 });
    const optedOut = byName['confirmation text to an opted-out number'];
    expect(optedOut).toMatchObject({ endings: ['ok', 'ok (redelivered)'], sendAttempts: 1, texts: 0 });
    expect(optedOut?.logged).toContain(
      'warn: confirmation text cannot be delivered (RecipientOptedOutError)',
    );
    const invalid = byName['confirmation text refused (400 ValidationException)'];
    expect(invalid).toMatchObject({ deliveries: 3, sendAttempts: 3, texts: 0 });
    const replyOptedOut = byName['help (INFO) reply to an opted-out number'];
    expect(replyOptedOut?.logged).toContain(
      'info: reply not sent: number cannot receive texts (RecipientOptedOutError)',
    );
    const alert = byName['battery alert to an opted-out number'];
    expect(alert).toMatchObject({ sendAttempts: 0, texts: 0, ok: true });
    expect(alert?.logged).toContain('warn: number is on the opt-out list; subscriber stopped');
  }, 60_000);

  it('malformed SNS events are dropped without throwing; odd but valid texts are answered', async () => {
    const result = await runBadInputs(h);

    expect(result.rows.filter((r) => !r.rejected)).toEqual([]);
    expect(result.rejected).toBe(result.tried);
    expect(result.tried).toBeGreaterThanOrEqual(40);
    expect(result.oddRows.filter((r) => !r.answered)).toEqual([]);
    expect(result.oddAnswered).toBe(result.oddTried);
  }, 60_000);
});
