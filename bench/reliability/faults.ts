/**
 * Provider faults against a round of checks over many subscribers: each faulty subscriber has one
 * fault armed at the sandbox (on the token endpoint, the device listing, or any call of theirs)
 * for as long as the round lasts; everyone's tracker is low, so everyone is due one text.
 *
 *   round 1  faults armed: the round completes, healthy subscribers are texted, faulty ones deferred
 *            (still active, failures counted, next check in the future, Retry-After honoured)
 *   round 2  faults cleared, the app's clock 40 minutes on: the deferred ones are checked and texted
 *   round 3  every access token expired at the provider, forced: everyone refreshes and reads again
 *            (no tokens lost), and nobody is texted a second time
 */
import type { RoundSummary } from '../../src/usecases/dispatch-checks';
import {
  addFault,
  clearFaults,
  type FaultRequest,
  type Harness,
  retire,
  sandboxCall,
  seedGoogleSubscriber,
  textsTo,
  tokenRefreshes,
} from './harness';

export type FaultTarget = 'devices' | 'token' | 'any';
export const FAULT_TARGETS: FaultTarget[] = ['devices', 'token', 'any'];

export interface FaultKind {
  name: string;
  fault: Omit<FaultRequest, 'target' | 'user'>;
  /** Seconds the next check must at least wait (a Retry-After). */
  minDelaySeconds?: number;
}

/** Every way a provider fails that the sandbox can play. `times` outlasts the in-check retries. */
export const FAULT_KINDS: FaultKind[] = [
  { name: '429 + Retry-After', fault: { status: 429, retryAfter: 120 }, minDelaySeconds: 120 },
  { name: '429', fault: { status: 429 } },
  { name: '500', fault: { status: 500 } },
  { name: '503', fault: { status: 503 } },
  // Beyond the harness's PROVIDER_TIMEOUT_MS (1 s): the adapter gives up first.
  { name: 'timeout', fault: { delayMs: 1600 } },
  { name: 'connection reset', fault: { reset: true } },
  { name: 'malformed body', fault: { body: 'malformed' } },
  { name: 'empty body', fault: { body: 'empty' } },
];

export interface FaultSpec {
  kind: FaultKind;
  target: FaultTarget;
}

export function allFaults(): FaultSpec[] {
  return FAULT_TARGETS.flatMap((target) => FAULT_KINDS.map((kind) => ({ kind, target })));
}

export const faultLabel = (f: FaultSpec) => `${f.kind.name} on ${f.target}`;

export interface FaultRow {
  fault: string;
  target: FaultTarget;
  subscribers: number;
  /** Round 1: deferred with failures counted and the next check in the future. */
  deferred: number;
  /** Round 1: how they ended (deferred, failed, texted, ...), for the record. */
  firstOutcomes: Record<string, number>;
  /** Round 2: texted exactly once after the fault cleared. */
  textedAfterwards: number;
  /** Token calls the fault cost (refresh attempts) show up here via the sandbox counters. */
  tokensLost: number;
  duplicates: number;
}

export interface FaultCampaignResult {
  label: string;
  subscribers: number;
  healthy: number;
  faulty: number;
  rounds: RoundSummary[];
  roundsCompleted: number;
  roundsRun: number;
  textedCorrectly: number;
  duplicates: number;
  tokensLost: number;
  rows: FaultRow[];
  problems: string[];
}

interface Member {
  user: string;
  id: string;
  phone: string;
  spec?: FaultSpec;
}

/** A round completed when it accounted for every subscriber it found due and none crashed a batch. */
function completed(summary: RoundSummary): boolean {
  return summary.checked + summary.deferred + summary.failed + summary.skipped === summary.due;
}

let campaigns = 0;

export async function runFaultCampaign(
  h: Harness,
  options: { faults: FaultSpec[]; faultyPerFault: number; healthy: number; label?: string },
): Promise<FaultCampaignResult> {
  campaigns++;
  const problems: string[] = [];
  const label = options.label ?? `campaign ${campaigns}`;
  const members: Member[] = [];
  const seeds: Promise<void>[] = [];
  let n = 0;
  const seed = (spec?: FaultSpec) => {
    const user = `rel-f${campaigns}-${n++}`;
    // A token fault only bites when the check has to refresh; "any" half of the time.
    const expired = spec?.target === 'token' || (spec?.target === 'any' && n % 2 === 0);
    seeds.push(
      seedGoogleSubscriber(h, user, { level: 12, expired }).then((s) => {
        members.push({ user, id: s.id, phone: s.phone, spec });
      }),
    );
  };
  for (const spec of options.faults) for (let i = 0; i < options.faultyPerFault; i++) seed(spec);
  for (let i = 0; i < options.healthy; i++) seed();
  await Promise.all(seeds);
  const faulty = members.filter((m) => m.spec);
  const healthy = members.filter((m) => !m.spec);

  for (const m of faulty) {
    const spec = m.spec as FaultSpec;
    await addFault(h, { ...spec.kind.fault, target: spec.target, user: m.user, times: 1000 });
  }
  const refreshesBefore = new Map<string, number>();

  // Round 1: faults armed.
  const rounds: RoundSummary[] = [];
  const roundStart = h.clock.now;
  rounds.push(await h.round(false));
  await clearFaults(h);
  const firstOutcome = new Map<string, string>();
  for (const m of members) {
    const s = await h.deps.subscribers.getSubscriber(m.id, h.clock.now);
    const texts = textsTo(h, m.phone).length;
    let outcome: string;
    if (!s) outcome = 'gone';
    else if (s.state !== 'active') outcome = s.state;
    else if (texts > 0) outcome = 'texted';
    else if ((s.failures ?? 0) >= 1 && (s.nextCheckAt ?? 0) > roundStart) outcome = 'deferred';
    else outcome = 'unchanged';
    firstOutcome.set(m.id, outcome);
    if (m.spec) {
      if (outcome !== 'deferred') problems.push(`${faultLabel(m.spec)}: ${m.user} ended round 1 ${outcome}`);
      const min = m.spec.kind.minDelaySeconds;
      if (s && min !== undefined && (s.nextCheckAt ?? 0) < roundStart + min * 1000)
        problems.push(`${faultLabel(m.spec)}: ${m.user} next check sooner than Retry-After`);
    } else if (outcome !== 'texted') problems.push(`healthy ${m.user} ended round 1 ${outcome}`);
  }

  // Round 2: faults gone, later.
  h.clock.advance(40 * 60_000);
  rounds.push(await h.round(false));
  for (const m of faulty) {
    const s = await h.deps.subscribers.getSubscriber(m.id, h.clock.now);
    if (textsTo(h, m.phone).length !== 1)
      problems.push(`${faultLabel(m.spec as FaultSpec)}: ${m.user} not texted once after the fault cleared`);
    if (s?.failures !== 0)
      problems.push(`${faultLabel(m.spec as FaultSpec)}: ${m.user} failures not reset (${s?.failures})`);
  }

  // Round 3: every access token dead at the provider; forced.
  for (const m of members) {
    refreshesBefore.set(m.user, (await tokenRefreshes(h, m.user)).google);
    await sandboxCall(h, 'POST', `/sandbox/users/${m.user}/expire-tokens`);
  }
  h.clock.advance(5 * 60_000);
  const forced = await h.round(true);
  rounds.push(forced);
  if (forced.checked !== members.length || forced.deferred + forced.failed > 0)
    problems.push(
      `forced round after expiring tokens: ${forced.checked} of ${members.length} checked, ${forced.deferred} deferred, ${forced.failed} failed`,
    );

  const lost = new Set<string>();
  for (const m of members) {
    const s = await h.deps.subscribers.getSubscriber(m.id, h.clock.now);
    const refreshed = (await tokenRefreshes(h, m.user)).google > (refreshesBefore.get(m.user) ?? 0);
    if (s?.state !== 'active' || !refreshed || (s.failures ?? 0) !== 0) lost.add(m.id);
  }
  if (lost.size > 0) problems.push(`${lost.size} subscribers lost their tokens`);

  const textCount = (m: Member) => textsTo(h, m.phone).length;
  const duplicatesOf = (m: Member) => Math.max(0, textCount(m) - 1);
  const duplicates = members.reduce((sum, m) => sum + duplicatesOf(m), 0);
  if (duplicates > 0) problems.push(`${duplicates} duplicate texts`);
  const textedCorrectly = members.filter((m) => textCount(m) === 1).length;
  if (textedCorrectly !== members.length)
    problems.push(`${members.length - textedCorrectly} subscribers not texted exactly once`);
  const roundsCompleted = rounds.filter(completed).length;
  if (roundsCompleted !== rounds.length) problems.push('a round did not account for every subscriber');
  if (rounds[0] && rounds[0].deferred !== faulty.length)
    problems.push(`round 1 deferred ${rounds[0].deferred}, expected ${faulty.length}`);
  if (rounds[0] && rounds[0].texted !== healthy.length)
    problems.push(`round 1 texted ${rounds[0].texted}, expected ${healthy.length}`);

  const rows: FaultRow[] = [];
  for (const spec of options.faults) {
    const hit = faulty.filter((m) => m.spec === spec);
    const firstOutcomes: Record<string, number> = {};
    for (const m of hit) {
      const o = firstOutcome.get(m.id) ?? 'unknown';
      firstOutcomes[o] = (firstOutcomes[o] ?? 0) + 1;
    }
    rows.push({
      fault: spec.kind.name,
      target: spec.target,
      subscribers: hit.length,
      deferred: firstOutcomes.deferred ?? 0,
      firstOutcomes,
      textedAfterwards: hit.filter((m) => textCount(m) === 1).length,
      tokensLost: hit.filter((m) => lost.has(m.id)).length,
      duplicates: hit.reduce((sum, m) => sum + duplicatesOf(m), 0),
    });
  }
  await retire(
    h,
    members.map((m) => m.id),
  );
  return {
    label,
    subscribers: members.length,
    healthy: healthy.length,
    faulty: faulty.length,
    rounds,
    roundsCompleted,
    roundsRun: rounds.length,
    textedCorrectly,
    duplicates,
    tokensLost: lost.size,
    rows,
    problems,
  };
}
