/**
 * The reliability campaign, in one process over dynalite, the sandbox and the local SNS emulator
 * (bench/reliability/harness.ts): every provider fault against rounds of checks, concurrent token
 * refreshes with single-use refresh tokens, duplicate and reordered SNS deliveries, SMS sending
 * failures, and a battery of malformed inputs through the real handlers.
 *
 *   npm run report:reliability
 *
 * Prints a table and writes bench/results/reliability.json. Exits non-zero when an invariant fails
 * (a duplicate text, a lost token, a round that did not complete, or any scenario's own check).
 * Alerts go through the real SNS adapter to the local SNS emulator, which delivers them to the
 * sandbox's phones; direct texts go through the real SmsSender to the sandbox's SMS endpoint.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CampaignSizes, faultRows, figures, runCampaign } from './reliability/campaign';
import { startHarness } from './reliability/harness';

const ROOT = resolve(__dirname, '..');

const SIZES: CampaignSizes = {
  faultyPerFault: 4,
  healthyPerFault: 40,
  combinedFaultyPerFault: 2,
  combinedHealthy: 40,
  concurrent: 20,
  expiries: 5,
};

async function main() {
  const started = performance.now();
  const h = await startHarness();
  console.log('reliability campaign (dynalite + sandbox + local SNS, in process)');
  const result = await runCampaign(h, SIZES, (line) => console.log(line));
  const f = figures(result);
  const rows = faultRows(result);
  const seconds = (performance.now() - started) / 1000;

  const table: [string, string][] = [
    [
      'faults tried',
      `${f.faultKindsTried} kinds (8 faults x token/devices/any), ${f.faultInjections} faulty subscribers`,
    ],
    ['rounds completed', `${f.roundsCompleted} of ${f.roundsRun}`],
    [
      'subscribers texted correctly',
      `${f.subscribersTextedCorrectly} of ${f.subscribersExpected} (exactly one text each)`,
    ],
    ['duplicates', String(f.duplicates)],
    ['tokens lost', String(f.tokensLost)],
    [
      'concurrent refreshes',
      `${f.concurrentChecks} checks x ${f.expiries} expiries: refreshes per expiry ${f.refreshesPerExpiry.join(', ')}`,
    ],
    ['SNS redelivery cases', `${f.snsDeliveryCasesPassed} of ${f.snsDeliveryCases} with one effect each`],
    ['SMS failure cases', `${f.smsFailureCasesPassed} of ${f.smsFailureCases} handled as expected`],
    ['bad inputs tried / rejected', `${f.badInputsTried} / ${f.badInputsRejected} (without throwing)`],
    ['odd but valid, answered', `${f.oddButValidAnswered} of ${f.oddButValidTried}`],
    ['invariant failures', String(f.problems.length)],
    ['time', `${seconds.toFixed(1)} s`],
  ];
  const width = Math.max(...table.map(([k]) => k.length));
  console.log('');
  for (const [k, v] of table) console.log(`  ${k.padEnd(width)}  ${v}`);

  console.log(
    '\n  per fault (round 1 outcome of the faulty subscribers; texted once after it cleared; tokens lost)',
  );
  const name = Math.max(...rows.map((r) => `${r.fault} on ${r.target}`.length));
  for (const r of rows) {
    console.log(
      `    ${`${r.fault} on ${r.target}`.padEnd(name)}  deferred ${r.deferred}/${r.subscribers}  texted after ${r.textedAfterwards}/${r.subscribers}  lost ${r.tokensLost}  duplicates ${r.duplicates}`,
    );
  }
  console.log('\n  SMS failures');
  for (const c of result.sms.cases) {
    const requests = c.faultedRequests === undefined ? '' : `, ${c.faultedRequests} faulted requests`;
    console.log(
      `    ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.handling}; deliveries ${c.endings.join(' > ')}; ${c.sendAttempts} sends${requests}; texts delivered ${c.texts}`,
    );
  }
  console.log('\n  SNS redeliveries');
  for (const c of result.deliveries.cases) {
    console.log(
      `    ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.outcomes.join(' > ')}; texts ${c.texts}, writes ${c.stateChanges}`,
    );
  }
  if (f.problems.length > 0) {
    console.log('\n  invariant failures');
    for (const p of f.problems) console.log(`    ${p}`);
  }

  const json = {
    faultsTried: f.faultKindsTried,
    faultInjections: f.faultInjections,
    roundsRun: f.roundsRun,
    roundsCompleted: f.roundsCompleted,
    subscribersExpected: f.subscribersExpected,
    subscribersTextedCorrectly: f.subscribersTextedCorrectly,
    duplicates: f.duplicates,
    tokensLost: f.tokensLost,
    concurrentChecks: f.concurrentChecks,
    expiries: f.expiries,
    refreshesPerExpiry: f.refreshesPerExpiry,
    snsDeliveryCases: f.snsDeliveryCases,
    snsDeliveryCasesPassed: f.snsDeliveryCasesPassed,
    smsFailureCases: f.smsFailureCases,
    smsFailureCasesPassed: f.smsFailureCasesPassed,
    badInputsTried: f.badInputsTried,
    badInputsRejected: f.badInputsRejected,
    oddButValidTried: f.oddButValidTried,
    oddButValidAnswered: f.oddButValidAnswered,
    invariantFailures: f.problems.length,
    seconds: Number(seconds.toFixed(1)),
    faults: rows.map((r) => ({
      fault: r.fault,
      target: r.target,
      subscribers: r.subscribers,
      deferred: r.deferred,
      textedAfterwards: r.textedAfterwards,
      tokensLost: r.tokensLost,
      duplicates: r.duplicates,
    })),
    smsFailures: result.sms.cases.map((c) => ({
      case: c.name,
      handling: c.handling,
      deliveries: c.deliveries,
      sendAttempts: c.sendAttempts,
      faultedRequests: c.faultedRequests ?? null,
      texts: c.texts,
      ok: c.ok,
    })),
    snsDeliveries: result.deliveries.cases.map((c) => ({
      case: c.name,
      deliveries: c.deliveries,
      texts: c.texts,
      stateChanges: c.stateChanges,
      ok: c.ok,
    })),
    problems: f.problems,
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'reliability.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log('\nwrote bench/results/reliability.json');

  const failed =
    f.duplicates > 0 || f.tokensLost > 0 || f.roundsCompleted < f.roundsRun || f.problems.length > 0;
  await h.close();
  // The SDK clients of the production wiring keep sockets open; nothing else is pending.
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
