/**
 * The DueSubscribers contract (src/ports.ts), run against every implementation: the DynamoDB adapter
 * (the sharded, sparse `due` index on dynalite), the in-memory fake, the simulator's store. Records
 * are written through the same implementation's Subscribers port, as the checker writes them.
 */
import type { Subscriber } from '../../src/domain/subscriber';
import type { DueSubscribers, Subscribers } from '../../src/ports';
import { aSubscriber, T0 } from '../support/fakes';

async function listAll(
  due: DueSubscribers,
  now: number,
  options: { force: boolean; pageSize: number },
): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of due.listDue(now, options)) pages.push(page);
  return pages;
}

const idsOf = (pages: string[][]) => pages.flat().sort();

export function describeDueSubscribersContract(
  name: string,
  make: () => Promise<Subscribers & DueSubscribers>,
): void {
  describe(`DueSubscribers contract: ${name}`, () => {
    let store: Subscribers & DueSubscribers;
    beforeEach(async () => {
      store = await make();
    });

    const save = (id: string, overrides: Partial<Subscriber>) =>
      store.saveSubscriber(
        aSubscriber({ id, providerUserId: id.slice(7), version: 0, updatedAt: T0, ...overrides }),
      );

    it('lists active subscribers due at or before now, and stopped ones whose erase date came', async () => {
      await save('google#DUE-PAST', { state: 'active', nextCheckAt: T0 - 60_000 });
      await save('google#DUE-NOW', { state: 'active', nextCheckAt: T0 });
      await save('google#LATER', { state: 'active', nextCheckAt: T0 + 1 });
      await save('google#UNSCHEDULED', { state: 'active' });
      await save('google#PENDING', { state: 'pending_confirmation', nextCheckAt: T0 - 60_000 });
      await save('google#REAUTH', { state: 'needs_reauth', nextCheckAt: T0 - 60_000 });
      await save('google#STOPPED-DUE', { state: 'stopped', nextCheckAt: T0 - 1 });
      await save('google#STOPPED-LATER', { state: 'stopped', nextCheckAt: T0 + 86_400_000 });

      const due = idsOf(await listAll(store, T0, { force: false, pageSize: 50 }));
      const forced = idsOf(await listAll(store, T0, { force: true, pageSize: 50 }));

      expect(due).toEqual(['google#DUE-NOW', 'google#DUE-PAST', 'google#STOPPED-DUE']);
      expect(forced).toEqual([
        'google#DUE-NOW',
        'google#DUE-PAST',
        'google#LATER',
        'google#STOPPED-DUE',
        'google#STOPPED-LATER',
      ]);
    });

    it('pages through many due subscribers: no page over the size, none empty, each id once', async () => {
      const expected: string[] = [];
      for (let i = 0; i < 40; i++) {
        const saved = await save(`google#PAGE${String(i).padStart(2, '0')}`, {
          state: 'active',
          nextCheckAt: T0 - i * 1000,
        });
        expected.push(saved.id);
      }

      const pages = await listAll(store, T0, { force: false, pageSize: 3 });

      for (const page of pages) {
        expect(page.length).toBeGreaterThan(0);
        expect(page.length).toBeLessThanOrEqual(3);
      }
      expect(idsOf(pages)).toEqual(expected.sort());
    });

    it('follows each save: a subscriber leaves the list when rescheduled or no longer active', async () => {
      const moved = await save('google#MOVED', { state: 'active', nextCheckAt: T0 - 1 });
      const lapsed = await save('google#LAPSED', { state: 'active', nextCheckAt: T0 - 1 });
      const kept = await save('google#KEPT', { state: 'active', nextCheckAt: T0 - 1 });

      await store.saveSubscriber({ ...moved, nextCheckAt: T0 + 3600_000 });
      const { nextCheckAt: _none, ...rest } = lapsed;
      await store.saveSubscriber({ ...rest, state: 'needs_reauth' });
      await store.deleteSubscriber('google#GONE');

      expect(idsOf(await listAll(store, T0, { force: false, pageSize: 10 }))).toEqual([kept.id]);
    });

    it('lists nothing when nobody is due', async () => {
      await save('google#LATER', { state: 'active', nextCheckAt: T0 + 1 });

      expect(await listAll(store, T0, { force: false, pageSize: 10 })).toEqual([]);
    });
  });
}
