/**
 * The nine findings of the adversarial review (issue 12), each replayed on the fakes through the real
 * use cases: every test here failed before the lifecycle rules and passes with them.
 */
import { texts } from '../../../src/domain/messages';
import { checkBatch } from '../../../src/usecases/check-batch';
import { startSignup } from '../../../src/usecases/start-signup';
import { aDevice, makeDeps, OTHER_PHONE, PHONE, type TestDeps } from '../../support/fakes';
import { lastCode, signUpAs, text } from '../../support/lifecycle-driver';

const DAY = 24 * 3600_000;
const STRANGER = '+12015550177';

/** Every device low, so the next round texts an alert to whoever hears the topic. */
function batteriesLow(deps: TestDeps) {
  deps.provider.devicesFor = [aDevice({ batteryLevel: 5, batteryStatus: 'Low' })];
}

async function alertRound(deps: TestDeps) {
  const ids = [...deps.store.subscribers.keys()];
  return checkBatch(deps, ids, { force: true, concurrency: 1 });
}

describe('issue 12 findings, replayed', () => {
  it('1: a number that never said YES hears no alert, even after the account re-signs with another number', async () => {
    const deps = makeDeps();
    await signUpAs(deps, 'ALICE', STRANGER); // a typo: a stranger's number, never confirmed
    deps.clock.advance(DAY + 1000); // the pending sign-up expires
    await signUpAs(deps, 'ALICE', PHONE);
    await text(deps, PHONE, `YES ${lastCode(deps, PHONE)}`);
    batteriesLow(deps);

    const summary = await alertRound(deps);

    expect(summary).toMatchObject({ texted: 1 });
    expect(deps.messenger.deliveries.map((d) => d.phone)).toEqual([PHONE]);
    expect([...deps.messenger.subscriptions.values()].map((s) => s.phone)).toEqual([PHONE]);
  });

  it("2: an attacker's sign-up cannot take a subscribed number with the victim's bare YES", async () => {
    const deps = makeDeps();
    await signUpAs(deps, 'VICTIM', PHONE);
    await text(deps, PHONE, 'YES');
    await signUpAs(deps, 'ATTACKER', PHONE);

    const outcome = await text(deps, PHONE, 'YES');

    expect(outcome).toBe('needs_code');
    expect(deps.store.subscribers.get('google#VICTIM')?.state).toBe('active');
    expect(deps.store.subscribers.get('google#ATTACKER')?.state).toBe('pending_confirmation');
    expect(deps.store.phones.get(PHONE)?.ownerId).toBe('google#VICTIM');
    // The attacker's text said plainly what a YES would do.
    expect(deps.messenger.textsTo(PHONE)).toContain(texts.confirmTakeover(lastCode(deps, PHONE) as string));
  });

  it('2: a sign-up made just after a newcomer cannot ride on their bare YES', async () => {
    const deps = makeDeps();
    await signUpAs(deps, 'NEWCOMER', PHONE);
    await signUpAs(deps, 'ATTACKER', PHONE);

    expect(await text(deps, PHONE, 'YES')).toBe('needs_code');
    const newcomerCode = deps.store.phones.get(PHONE)?.pending?.['google#NEWCOMER']?.code;
    expect(await text(deps, PHONE, `YES ${newcomerCode}`)).toBe('confirmed');
    expect(deps.store.phones.get(PHONE)?.ownerId).toBe('google#NEWCOMER');
    expect(deps.store.subscribers.get('google#ATTACKER')?.state).toBe('pending_confirmation');
  });

  it('4: numbers outside the allowed countries are refused before any consent or text', async () => {
    const deps = makeDeps();

    const result = await startSignup(deps, { phone: '+44 7400 123456', consent: 'yes' });

    expect(result).toEqual({ kind: 'country' });
    expect(deps.provider.started).toHaveLength(0);
    expect(deps.store.signups.size).toBe(0);
  });

  it('4: one account makes the service text at most three different numbers a day', async () => {
    const deps = makeDeps();
    const numbers = ['+12015550101', '+12015550102', '+12015550103', '+12015550104'];
    const results = [];
    for (const n of numbers) results.push(await signUpAs(deps, 'PUMPER', n));

    expect(results.map((r) => r.kind)).toEqual(['pending', 'pending', 'pending', 'not_texted']);
    expect(results[3]).toMatchObject({ reason: 'account_capped' });
    expect(deps.messenger.textsTo('+12015550104')).toHaveLength(0);
    deps.clock.advance(DAY);
    expect((await signUpAs(deps, 'PUMPER', '+12015550104')).kind).toBe('pending');
  });

  it("5: strangers' sign-ups do not use up a person's own confirmation texts, and the page is honest", async () => {
    const deps = makeDeps();
    for (let i = 0; i < 3; i++) await signUpAs(deps, 'ATTACKER', PHONE);
    const attackerAgain = await signUpAs(deps, 'ATTACKER', PHONE);

    const own = await signUpAs(deps, 'VICTIM', PHONE);

    expect(attackerAgain).toEqual({ kind: 'not_texted', reason: 'number_capped', phone: '+1******0123' });
    expect(own).toMatchObject({ kind: 'pending', phone: '+1******0123' });
    expect(deps.messenger.textsTo(PHONE)).toHaveLength(4);
  });

  it('5: a number on the opt-out list gets an honest page, and nothing is kept', async () => {
    const deps = makeDeps();
    deps.messenger.optedOut.add(PHONE);

    const result = await signUpAs(deps, 'ALICE', PHONE);

    expect(result).toEqual({ kind: 'not_texted', reason: 'opted_out', phone: '+1******0123' });
    expect(deps.store.subscribers.size).toBe(0);
    expect(deps.store.phones.size).toBe(0);
    expect(deps.provider.revoked).toEqual([
      `refresh-${String(deps.provider.exchanged.at(-1)?.code).slice(5)}`,
    ]);
  });

  it("6: a returning account's pending record expires, tokens and all", async () => {
    const deps = makeDeps();
    await signUpAs(deps, 'ALICE', PHONE);
    await text(deps, PHONE, 'YES');
    await signUpAs(deps, 'ALICE', OTHER_PHONE); // returns with another number, never confirms

    const pending = deps.store.subscribers.get('google#ALICE');
    expect(pending?.state).toBe('pending_confirmation');
    expect(pending?.expiresAtMs).toBeDefined();
    deps.clock.advance(DAY + 1000);
    expect(await deps.store.getSubscriber('google#ALICE', deps.clock.now())).toBeUndefined();
  });

  it('6/7: STOP gives the record an expiry, and DELETE leaves no item holding the number', async () => {
    const deps = makeDeps();
    await signUpAs(deps, 'ALICE', PHONE);
    await text(deps, PHONE, 'YES');
    await text(deps, PHONE, 'STATUS');
    await text(deps, PHONE, 'STOP');
    expect(deps.store.subscribers.get('google#ALICE')?.expiresAtMs).toBeDefined();

    await text(deps, PHONE, 'DELETE');

    const everything = JSON.stringify({
      subscribers: [...deps.store.subscribers.values()],
      phones: [...deps.store.phones.entries()],
      signups: [...deps.store.signups.values()],
      limits: [...deps.limits.items.keys(), ...deps.limits.cooldowns.keys()],
      subscriptions: [...deps.messenger.subscriptions.values()],
    });
    expect(everything).not.toContain('5550123');
  });

  it('8: HELP and STATUS get at most ten replies per number an hour; STOP is always answered', async () => {
    const deps = makeDeps();
    await signUpAs(deps, 'ALICE', PHONE);
    await text(deps, PHONE, 'YES');
    const before = deps.provider.listDevicesCalls.length;
    const outcomes = [];
    for (let i = 0; i < 15; i++) outcomes.push(await text(deps, PHONE, i % 2 ? 'HELP' : 'STATUS'));
    const stop = await text(deps, PHONE, 'STOP');

    expect(outcomes.filter((o) => o !== 'silenced')).toHaveLength(10);
    expect(deps.provider.listDevicesCalls.length - before).toBeLessThanOrEqual(5);
    expect(stop).toBe('stopped');
    expect(deps.messenger.textsTo(PHONE).at(-1)).toBe(texts.stopped());
    deps.clock.advance(3600_000);
    expect(await text(deps, PHONE, 'START')).toBe('resumed');
    expect(await text(deps, PHONE, 'HELP')).toBe('help');
  });

  it('8: a flood of guessed codes meets the same hourly limit, and changes nothing', async () => {
    const deps = makeDeps();
    await signUpAs(deps, 'ALICE', PHONE);
    const real = lastCode(deps, PHONE);
    const guesses = Array.from({ length: 13 }, (_, i) => String(i).padStart(4, '0')).filter(
      (c) => c !== real,
    );
    const outcomes = [];
    for (const guess of guesses.slice(0, 12)) outcomes.push(await text(deps, PHONE, `YES ${guess}`));

    expect(outcomes.filter((o) => o === 'wrong_code').length).toBeLessThanOrEqual(10);
    expect(outcomes.filter((o) => o === 'silenced').length).toBeGreaterThanOrEqual(1);
    expect(deps.store.phones.get(PHONE)?.ownerId).toBeUndefined();
  });

  it('9: the replaced refresh token is revoked where that does not end the new grant', async () => {
    const deps = makeDeps();
    await signUpAs(deps, 'ALICE', PHONE);
    await text(deps, PHONE, 'YES');

    await signUpAs(deps, 'ALICE', PHONE);

    const [first, second] = deps.provider.exchanged.map((e) => `refresh-${e.code.slice(5)}`);
    expect(deps.provider.revoked).toEqual([first]);
    expect(deps.store.subscribers.get('google#ALICE')?.tokens.refreshToken).toBe(second);
  });

  it('9: on Google (revoking ends the whole authorization) the old token is dropped, never revoked', async () => {
    const deps = makeDeps();
    deps.provider.revocation = 'authorization';
    await signUpAs(deps, 'ALICE', PHONE);
    await text(deps, PHONE, 'YES');

    await signUpAs(deps, 'ALICE', PHONE);

    expect(deps.provider.revoked).toEqual([]);
    const first = `refresh-${deps.provider.exchanged[0]?.code.slice(5)}"`;
    expect(JSON.stringify(deps.store.subscribers.get('google#ALICE'))).not.toContain(first);
  });
});
