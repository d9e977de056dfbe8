/**
 * The whole reliability campaign over one harness, and its figures: what `npm run report:reliability`
 * prints and writes. The jest suite in tests/reliability runs the same scenarios with smaller numbers.
 */
import { type BadInputsResult, runBadInputs } from './bad-inputs';
import { type ConcurrencyResult, runConcurrency } from './concurrency';
import { allFaults, type FaultCampaignResult, type FaultRow, runFaultCampaign } from './faults';
import type { Harness } from './harness';
import { runSmsFailures, type SmsFailuresResult } from './sms-failures';
import { type DeliveriesResult, runSnsDeliveries } from './sns-deliveries';

export interface CampaignSizes {
  /** Subscribers per fault kind when each kind gets a round of its own (0: skip those rounds). */
  faultyPerFault: number;
  healthyPerFault: number;
  /** One more round with every fault kind at once. */
  combinedFaultyPerFault: number;
  combinedHealthy: number;
  concurrent: number;
  expiries: number;
}

export interface CampaignResult {
  faults: FaultCampaignResult[];
  concurrency: ConcurrencyResult;
  deliveries: DeliveriesResult;
  sms: SmsFailuresResult;
  badInputs: BadInputsResult;
}

export interface Figures {
  faultKindsTried: number;
  faultInjections: number;
  roundsRun: number;
  roundsCompleted: number;
  subscribersExpected: number;
  subscribersTextedCorrectly: number;
  duplicates: number;
  tokensLost: number;
  concurrentChecks: number;
  expiries: number;
  refreshesPerExpiry: number[];
  snsDeliveryCases: number;
  snsDeliveryCasesPassed: number;
  smsFailureCases: number;
  smsFailureCasesPassed: number;
  badInputsTried: number;
  badInputsRejected: number;
  oddButValidTried: number;
  oddButValidAnswered: number;
  problems: string[];
}

export async function runCampaign(
  h: Harness,
  sizes: CampaignSizes,
  progress: (line: string) => void = () => {},
): Promise<CampaignResult> {
  const faults: FaultCampaignResult[] = [];
  if (sizes.faultyPerFault > 0) {
    for (const spec of allFaults()) {
      const result = await runFaultCampaign(h, {
        faults: [spec],
        faultyPerFault: sizes.faultyPerFault,
        healthy: sizes.healthyPerFault,
        label: `${spec.kind.name} on ${spec.target}`,
      });
      progress(`  ${result.label}: ${result.problems.length === 0 ? 'ok' : result.problems.join('; ')}`);
      faults.push(result);
    }
  }
  const combined = await runFaultCampaign(h, {
    faults: allFaults(),
    faultyPerFault: sizes.combinedFaultyPerFault,
    healthy: sizes.combinedHealthy,
    label: 'every fault at once',
  });
  progress(`  ${combined.label}: ${combined.problems.length === 0 ? 'ok' : combined.problems.join('; ')}`);
  faults.push(combined);
  const concurrency = await runConcurrency(h, { concurrent: sizes.concurrent, expiries: sizes.expiries });
  progress(`  concurrency: ${concurrency.problems.length === 0 ? 'ok' : concurrency.problems.join('; ')}`);
  const deliveries = await runSnsDeliveries(h);
  progress(`  SNS redeliveries: ${deliveries.problems.length === 0 ? 'ok' : deliveries.problems.join('; ')}`);
  const sms = await runSmsFailures(h);
  progress(`  SMS failures: ${sms.problems.length === 0 ? 'ok' : sms.problems.join('; ')}`);
  const badInputs = await runBadInputs(h);
  progress(`  bad inputs: ${badInputs.problems.length === 0 ? 'ok' : badInputs.problems.join('; ')}`);
  return { faults, concurrency, deliveries, sms, badInputs };
}

export function figures(result: CampaignResult): Figures {
  const { faults, concurrency, deliveries, sms, badInputs } = result;
  const total = (pick: (f: FaultCampaignResult) => number) => faults.reduce((n, f) => n + pick(f), 0);
  const kinds = new Set(faults.flatMap((f) => f.rows.map((r) => `${r.fault} on ${r.target}`)));
  const deliveryDuplicates = deliveries.cases.reduce((n, c) => n + Math.max(0, c.texts - c.expectedTexts), 0);
  const smsDuplicates = sms.cases.reduce((n, c) => n + Math.max(0, c.texts - c.expectedTexts), 0);
  return {
    faultKindsTried: kinds.size,
    faultInjections: total((f) => f.faulty),
    roundsRun: total((f) => f.roundsRun),
    roundsCompleted: total((f) => f.roundsCompleted),
    subscribersExpected: total((f) => f.subscribers),
    subscribersTextedCorrectly: total((f) => f.textedCorrectly),
    duplicates: total((f) => f.duplicates) + deliveryDuplicates + smsDuplicates,
    tokensLost: total((f) => f.tokensLost) + concurrency.tokensLost,
    concurrentChecks: concurrency.concurrent,
    expiries: concurrency.expiries.length,
    refreshesPerExpiry: concurrency.expiries.map((e) => e.refreshes),
    snsDeliveryCases: deliveries.cases.length,
    snsDeliveryCasesPassed: deliveries.cases.filter((c) => c.ok).length,
    smsFailureCases: sms.cases.length,
    smsFailureCasesPassed: sms.cases.filter((c) => c.ok).length,
    badInputsTried: badInputs.tried,
    badInputsRejected: badInputs.rejected,
    oddButValidTried: badInputs.oddTried,
    oddButValidAnswered: badInputs.oddAnswered,
    problems: [
      ...faults.flatMap((f) => f.problems.map((p) => `${f.label}: ${p}`)),
      ...concurrency.problems.map((p) => `concurrency: ${p}`),
      ...deliveries.problems,
      ...sms.problems,
      ...badInputs.problems,
    ],
  };
}

/** One row per fault kind and target, summed over every round it was tried in. */
export function faultRows(result: CampaignResult): FaultRow[] {
  const rows = new Map<string, FaultRow>();
  for (const row of result.faults.flatMap((f) => f.rows)) {
    const key = `${row.fault} on ${row.target}`;
    const into = rows.get(key);
    if (!into) {
      rows.set(key, { ...row, firstOutcomes: { ...row.firstOutcomes } });
      continue;
    }
    into.subscribers += row.subscribers;
    into.deferred += row.deferred;
    into.textedAfterwards += row.textedAfterwards;
    into.tokensLost += row.tokensLost;
    into.duplicates += row.duplicates;
    for (const [k, v] of Object.entries(row.firstOutcomes))
      into.firstOutcomes[k] = (into.firstOutcomes[k] ?? 0) + v;
  }
  return [...rows.values()];
}
