/**
 * Model-based test of the subscriber lifecycle (issue 12): random sequences of sign-ups by several
 * accounts with several numbers, YES with and without codes (right and wrong), STOP, START, DELETE,
 * STATUS, SNOOZE and RESUME, the clock moving on (with the poller's rounds running as they do every few minutes in
 * production) and alert rounds, all through the real use cases on the fakes. After every step:
 * - an SMS subscription exists only for a phone that confirmed that very subscriber, and a
 *   subscriber's topic has at most one;
 * - no alert reaches a number that is not the confirmed owner of the subscriber it is about;
 * - every pending or stopped record has an expiry; once nothing live is about a number (DELETE,
 *   expiry), no item holds it;
 * - no alert reaches a subscriber during a snooze its owner asked for (until its end or RESUME), and
 *   a STOP during a snooze wins: nothing reaches the number after it, when the snooze ends or later;
 * and, for finding 2, a bare YES never moves an owned number nor picks one of several sign-ups.
 * CI runs a fixed seed (tests/property/arbitraries.ts); local runs explore a new one each time.
 */
import fc from 'fast-check';
import { isVacant } from '../../src/domain/lifecycle';
import { checkBatch } from '../../src/usecases/check-batch';
import { aDevice, makeDeps, type TestDeps } from '../support/fakes';
import { signUpAs, text } from '../support/lifecycle-driver';
import { DAY, HOUR } from './arbitraries';

const ACCOUNTS = ['ANN', 'BOB', 'EVE'] as const;
const NUMBERS = ['+12015550111', '+12015550122', '+12015550133'] as const;
/** The distinctive tail of each number: how "does any item hold it" is searched. */
const tail = (phone: string) => phone.slice(-7);

interface World {
  deps: TestDeps;
  /** Deliveries already checked by the invariants. */
  checkedDeliveries: number;
  battery: number;
  /**
   * The model of snoozes: subscriber id -> the end its owner was promised ("SNOOZE 2h" at t ends at
   * t + 2h), kept independently of what the store says; RESUME, STOP and DELETE end it.
   */
  snoozes: Map<string, number>;
}

type Model = Record<string, never>;

/** The poller: every subscriber whose check (or erase date) is due, as the scheduled round finds them. */
async function dueRound(deps: TestDeps, force: boolean): Promise<void> {
  const ids: string[] = [];
  for await (const page of deps.store.listDue(deps.clock.now(), { force, pageSize: 100 })) ids.push(...page);
  if (ids.length > 0) await checkBatch(deps, ids, { force, concurrency: 1 });
}

function live<T extends { expiresAtMs?: number }>(item: T, now: number): boolean {
  return item.expiresAtMs === undefined || item.expiresAtMs > now;
}

function checkInvariants(world: World): void {
  const { deps } = world;
  const now = deps.clock.now();
  const subscribers = [...deps.store.subscribers.values()].filter((s) => live(s, now));
  const owners = new Map(
    [...deps.store.phones.values()]
      .filter((p) => p.expiresAtMs === undefined || p.expiresAtMs > now)
      .map((p) => [p.phone, p.ownerId]),
  );
  const confirmedOwnerOf = (topicArn: string, phone: string) =>
    subscribers.find(
      (s) =>
        s.topicArn === topicArn &&
        s.phone === phone &&
        owners.get(phone) === s.id &&
        s.state !== 'pending_confirmation',
    );

  // 1. Subscriptions: only the confirmed phone of that very subscriber, at most one per topic.
  const perTopic = new Map<string, number>();
  for (const sub of deps.messenger.subscriptions.values()) {
    perTopic.set(sub.topicArn, (perTopic.get(sub.topicArn) ?? 0) + 1);
    if (!confirmedOwnerOf(sub.topicArn, sub.phone))
      throw new Error(`${sub.phone} is subscribed to ${sub.topicArn} without having confirmed it`);
  }
  for (const [topic, count] of perTopic)
    if (count > 1) throw new Error(`${topic} has ${count} subscriptions`);

  // 2. Alerts: each delivery since the last step reached the confirmed owner of an active subscriber.
  for (const d of deps.messenger.deliveries.slice(world.checkedDeliveries)) {
    const owner = confirmedOwnerOf(d.topicArn, d.phone);
    if (owner?.state !== 'active')
      throw new Error(`an alert reached ${d.phone}, not an active confirmed owner`);
  }
  // 4. Snoozes: nothing reaches a subscriber whose owner's snooze has not ended.
  for (const d of deps.messenger.deliveries.slice(world.checkedDeliveries)) {
    const about = subscribers.find((s) => s.topicArn === d.topicArn);
    const until = about ? world.snoozes.get(about.id) : undefined;
    if (until !== undefined && until > now)
      throw new Error(`an alert reached ${d.phone} during a snooze that ends at ${until}`);
  }
  world.checkedDeliveries = deps.messenger.deliveries.length;

  // 3. Expiry: pending and stopped records expire; nothing holds a number nothing live is about.
  for (const s of subscribers) {
    if ((s.state === 'pending_confirmation' || s.state === 'stopped') && s.expiresAtMs === undefined)
      throw new Error(`${s.id} is ${s.state} without an expiry`);
  }
  for (const phone of NUMBERS) {
    const about =
      subscribers.some((s) => s.phone === phone) ||
      [...deps.store.signups.values()].some((s) => s.phone === phone && s.expiresAtMs > now);
    if (about) continue;
    const stored = deps.store.phones.get(phone);
    const heldBy = {
      subscribers: subscribers.filter((s) => JSON.stringify(s).includes(tail(phone))).map((s) => s.id),
      phoneRecord:
        stored &&
        (stored.expiresAtMs === undefined || stored.expiresAtMs > now) &&
        !isVacant({ ...stored, version: 1 }, now),
      rateLimits: [...deps.limits.items.keys(), ...deps.limits.cooldowns.keys()].some((k) =>
        k.includes(tail(phone)),
      ),
      subscriptions: [...deps.messenger.subscriptions.values()].some((s) => s.phone === phone),
    };
    if (heldBy.subscribers.length > 0 || heldBy.phoneRecord || heldBy.rateLimits || heldBy.subscriptions)
      throw new Error(`${phone} is still held after nothing is about it: ${JSON.stringify(heldBy)}`);
  }
}

/** A snooze does not outlive its subscriber's alerts: STOP, a takeover and erasure end it (the domain rule). */
function forgetEndedSnoozes(world: World): void {
  for (const id of world.snoozes.keys()) {
    const s = world.deps.store.subscribers.get(id);
    if (!s || s.state === 'stopped' || s.state === 'pending_confirmation') world.snoozes.delete(id);
  }
}

type Command = fc.AsyncCommand<Model, World>;

function step(label: string, run: (world: World) => Promise<unknown>): Command {
  return {
    check: () => true,
    run: async (_model, world) => {
      await run(world);
      checkInvariants(world);
      forgetEndedSnoozes(world);
    },
    toString: () => label,
  };
}

const account = fc.constantFrom(...ACCOUNTS);
const number = fc.constantFrom(...NUMBERS);

const commands = [
  fc.tuple(account, number).map(([a, n]) => step(`signUp(${a}, ${n})`, (w) => signUpAs(w.deps, a, n))),
  number.map((n) =>
    step(`YES(${n})`, async (w) => {
      // A bare YES must not move an owned number, nor pick one of several sign-ups (finding 2).
      const now = w.deps.clock.now();
      const before = await w.deps.store.getPhone(n, now);
      const owner = before?.ownerId ? await w.deps.store.getSubscriber(before.ownerId, now) : undefined;
      const ambiguous = owner?.state === 'active' || Object.keys(before?.pending ?? {}).length > 1;
      await text(w.deps, n, 'YES');
      const after = await w.deps.store.getPhone(n, w.deps.clock.now());
      if (ambiguous && after?.ownerId !== before?.ownerId)
        throw new Error(`a bare YES moved ${n} from ${before?.ownerId} to ${after?.ownerId}`);
    }),
  ),
  fc.tuple(number, account).map(([n, a]) =>
    step(`YES <code of ${a}>(${n})`, async (w) => {
      // The person types the code from the text that sign-up sent (or an old one, if it is gone).
      const code = w.deps.store.phones.get(n)?.pending?.[`google#${a}`]?.code ?? '0000';
      await text(w.deps, n, `YES ${code}`);
    }),
  ),
  fc
    .tuple(number, fc.integer({ min: 0, max: 9999 }))
    .map(([n, c]) => step(`YES ${c}(${n})`, (w) => text(w.deps, n, `YES ${String(c).padStart(4, '0')}`))),
  number.map((n) =>
    step(`STOP(${n})`, async (w) => {
      const owner = w.deps.store.phones.get(n)?.ownerId;
      const outcome = await text(w.deps, n, 'STOP');
      // STOP wins over a snooze: invariant 2 (only active owners hear alerts) now guards the number.
      if (owner && outcome === 'stopped') w.snoozes.delete(owner);
    }),
  ),
  fc.tuple(number, fc.constantFrom(1, 5, 30, 200)).map(([n, hours]) =>
    step(`SNOOZE ${hours}h(${n})`, async (w) => {
      const owner = w.deps.store.phones.get(n)?.ownerId;
      const now = w.deps.clock.now();
      const outcome = await text(w.deps, n, `SNOOZE ${hours}h`);
      // At most 7 days, whatever was asked (the reply says the end).
      if (owner && outcome === 'snoozed') w.snoozes.set(owner, now + Math.min(hours, 7 * 24) * HOUR);
    }),
  ),
  number.map((n) =>
    step(`RESUME(${n})`, async (w) => {
      const owner = w.deps.store.phones.get(n)?.ownerId;
      const outcome = await text(w.deps, n, 'RESUME');
      if (owner && outcome === 'snooze_off') w.snoozes.delete(owner);
    }),
  ),
  number.map((n) => step(`START(${n})`, (w) => text(w.deps, n, 'START'))),
  number.map((n) => step(`DELETE(${n})`, (w) => text(w.deps, n, 'DELETE'))),
  fc
    .tuple(number, fc.constantFrom('STATUS', 'HELP', 'hello'))
    .map(([n, body]) => step(`${body}(${n})`, (w) => text(w.deps, n, body))),
  fc.constantFrom(HOUR, DAY + 1000, 31 * DAY).map((ms) =>
    step(`advance(${ms / HOUR}h)`, async (w) => {
      // The poller runs every few minutes in production: a round at least once per simulated day.
      for (let left = ms; left > 0; left -= DAY) {
        w.deps.clock.advance(Math.min(left, DAY));
        await dueRound(w.deps, false);
        // Each round's deliveries are judged at that round's time (a snooze may end mid-step).
        checkInvariants(w);
        forgetEndedSnoozes(w);
      }
    }),
  ),
  fc.integer({ min: 0, max: 100 }).map((level) =>
    step(`alertRound(${level}%)`, async (w) => {
      w.battery = level;
      w.deps.provider.devicesFor = [
        aDevice({ batteryLevel: level, batteryStatus: level <= 20 ? 'Low' : 'High' }),
      ];
      await dueRound(w.deps, true);
    }),
  ),
];

describe('subscriber lifecycle (model-based)', () => {
  it('keeps the invariants after every step of any sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: '+1' }), async (cmds) => {
        const deps = makeDeps();
        const world: World = { deps, checkedDeliveries: 0, battery: 80, snoozes: new Map() };
        await fc.asyncModelRun(() => ({ model: {}, real: world }), cmds);
      }),
      { numRuns: 150 },
    );
  });
});
