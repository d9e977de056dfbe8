/**
 * The Subscribers contract (src/ports.ts), run against every implementation: the DynamoDB adapter on
 * dynalite, the in-memory fake, the simulator's store. Records round-trip exactly, writes are
 * conditional on the version read, and a record past its expiry is gone for readers and writers.
 */
import { VersionConflictError } from '../../src/domain/errors';
import { expiryAt } from '../../src/domain/lifecycle';
import type { Subscriber } from '../../src/domain/subscriber';
import type { Subscribers } from '../../src/ports';
import { aSubscriber, T0, tokens } from '../support/fakes';

/** A new record (version 0) with every optional field filled, so a dropped or mangled one shows. */
export function aFullSubscriber(overrides: Partial<Subscriber> = {}): Subscriber {
  return aSubscriber({
    version: 0,
    updatedAt: T0,
    tokens: tokens({ refreshExpiresAt: T0 + 7 * 86_400_000, expiryNoticeSent: true }),
    timeZoneCheckedAt: T0 - 5000,
    topicArn: 'arn:aws:sns:us-east-1:000000000000:u-google-USER1',
    subscriptionArn: 'arn:aws:sns:us-east-1:000000000000:u-google-USER1:sub-1',
    confirmationSentFor: 'signup-0000-0001',
    snoozeUntil: T0 + 3600_000,
    devices: {
      'dev-1': {
        name: 'Charge 6',
        type: 'TRACKER',
        level: 15,
        status: 'Low',
        lastSyncTime: new Date(T0).toISOString(),
        readings: [
          [T0 - 7200_000, 30],
          [T0, 15],
        ],
        episode: { startedAt: T0 - 60_000, lowSentAt: T0 - 30_000 },
      },
      'dev-2': { name: 'Aria', type: 'SCALE' },
    },
    nextCheckAt: T0 + 900_000,
    failures: 2,
    ...overrides,
  });
}

export function describeSubscribersContract(name: string, make: () => Promise<Subscribers>): void {
  describe(`Subscribers contract: ${name}`, () => {
    let subscribers: Subscribers;
    beforeEach(async () => {
      subscribers = await make();
    });

    it('creates a record at version 1 and reads back exactly what it saved', async () => {
      const saved = await subscribers.saveSubscriber(aFullSubscriber());

      expect(saved).toEqual({ ...aFullSubscriber(), version: 1 });
      expect(await subscribers.getSubscriber(saved.id, T0)).toEqual(saved);
    });

    it('keeps an expiry to the millisecond it was given (a whole second) and drops it once cleared', async () => {
      const pending = aFullSubscriber({
        state: 'pending_confirmation',
        expiresAtMs: expiryAt(T0 + 86_400_000),
      });
      const saved = await subscribers.saveSubscriber(pending);
      expect(await subscribers.getSubscriber(saved.id, T0)).toEqual(saved);

      const { expiresAtMs: _gone, ...confirmed } = saved;
      await subscribers.saveSubscriber({ ...confirmed, state: 'active' });

      const later = await subscribers.getSubscriber(saved.id, T0 + 2 * 86_400_000);
      expect(later?.state).toBe('active');
      expect(later).not.toHaveProperty('expiresAtMs');
    });

    it('gives nothing for an unknown id', async () => {
      expect(await subscribers.getSubscriber('google#NOBODY', T0)).toBeUndefined();
    });

    it('refuses a write from a reader whose version is stale, and keeps the winner', async () => {
      const first = await subscribers.saveSubscriber(aFullSubscriber());
      const winner = await subscribers.saveSubscriber({ ...first, threshold: 30 });

      await expect(subscribers.saveSubscriber({ ...first, threshold: 10 })).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(winner.version).toBe(2);
      expect(await subscribers.getSubscriber(first.id, T0)).toEqual(winner);
    });

    it('lets exactly one of two writers holding the same version win', async () => {
      const read = await subscribers.saveSubscriber(aFullSubscriber());

      const results = await Promise.allSettled([
        subscribers.saveSubscriber({ ...read, threshold: 11 }),
        subscribers.saveSubscriber({ ...read, threshold: 12 }),
      ]);

      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => (r as PromiseRejectedResult).reason)).toEqual([
        expect.any(VersionConflictError),
      ]);
      expect(await subscribers.getSubscriber(read.id, T0)).toEqual(
        (won[0] as PromiseFulfilledResult<Subscriber>).value,
      );
    });

    it('refuses to write a record that was deleted since it was read', async () => {
      const first = await subscribers.saveSubscriber(aFullSubscriber());
      await subscribers.deleteSubscriber(first.id);

      await expect(subscribers.saveSubscriber(first)).rejects.toBeInstanceOf(VersionConflictError);
    });

    it('refuses to create a record twice while the first lives', async () => {
      await subscribers.saveSubscriber(aFullSubscriber());

      await expect(subscribers.saveSubscriber(aFullSubscriber({ threshold: 5 }))).rejects.toBeInstanceOf(
        VersionConflictError,
      );
    });

    it('hides a record from the moment it expires, and lets a new one replace it then', async () => {
      const expiresAtMs = expiryAt(T0 + 60_000);
      const saved = await subscribers.saveSubscriber(
        aFullSubscriber({ state: 'pending_confirmation', expiresAtMs }),
      );

      expect(await subscribers.getSubscriber(saved.id, expiresAtMs - 1)).toEqual(saved);
      expect(await subscribers.getSubscriber(saved.id, expiresAtMs)).toBeUndefined();
      expect((await subscribers.getSubscribers([saved.id], expiresAtMs)).size).toBe(0);
      // One millisecond early the old record still lives: creating over it is a conflict.
      await expect(
        subscribers.saveSubscriber(aFullSubscriber({ updatedAt: expiresAtMs - 1 })),
      ).rejects.toBeInstanceOf(VersionConflictError);
      const replaced = await subscribers.saveSubscriber(
        aFullSubscriber({ updatedAt: expiresAtMs, threshold: 40 }),
      );
      expect(replaced.version).toBe(1);
      expect((await subscribers.getSubscriber(saved.id, expiresAtMs))?.threshold).toBe(40);
    });

    it('reads many records at once, leaving out missing and expired ones', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 105; i++) {
        const saved = await subscribers.saveSubscriber(
          aFullSubscriber({ id: `google#MANY${i}`, providerUserId: `MANY${i}` }),
        );
        ids.push(saved.id);
      }
      const gone = await subscribers.saveSubscriber(
        aFullSubscriber({ id: 'google#GONE', providerUserId: 'GONE', expiresAtMs: expiryAt(T0) }),
      );

      const found = await subscribers.getSubscribers([...ids, gone.id, 'google#NOBODY'], T0);

      expect([...found.keys()].sort()).toEqual([...ids].sort());
      expect(found.get('google#MANY7')).toEqual(await subscribers.getSubscriber('google#MANY7', T0));
    });

    it('deletes a record, and deleting an unknown one is no error', async () => {
      const saved = await subscribers.saveSubscriber(aFullSubscriber());

      await subscribers.deleteSubscriber(saved.id);
      await subscribers.deleteSubscriber('google#NOBODY');

      expect(await subscribers.getSubscriber(saved.id, T0)).toBeUndefined();
    });

    it('hands out copies: changing what was read changes nothing stored', async () => {
      const saved = await subscribers.saveSubscriber(aFullSubscriber());
      const read = (await subscribers.getSubscriber(saved.id, T0)) as Subscriber;

      read.threshold = 99;

      expect((await subscribers.getSubscriber(saved.id, T0))?.threshold).toBe(saved.threshold);
    });
  });
}
