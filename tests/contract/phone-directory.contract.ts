/**
 * The PhoneDirectory contract (src/ports.ts), run against every implementation: the DynamoDB adapter
 * on dynalite, the in-memory fake. Versioned writes, claims forgotten at their expiry, an ownerless
 * record gone with its last claim, a vacant one not kept at all.
 */
import { VersionConflictError } from '../../src/domain/errors';
import { claimPending, emptyPhone, expiryAt, releasePhone, takeOwnership } from '../../src/domain/lifecycle';
import type { PhoneDirectory } from '../../src/ports';
import { PHONE, T0 } from '../support/fakes';

const SOON = expiryAt(T0 + 3600_000);
const LATER = expiryAt(T0 + 86_400_000);

export function describePhoneDirectoryContract(name: string, make: () => Promise<PhoneDirectory>): void {
  describe(`PhoneDirectory contract: ${name}`, () => {
    let phones: PhoneDirectory;
    beforeEach(async () => {
      phones = await make();
    });

    it('gives nothing for a number it does not know', async () => {
      expect(await phones.getPhone(PHONE, T0)).toBeUndefined();
    });

    it('creates a record at version 1 and reads back its owner and claims', async () => {
      const record = claimPending(
        takeOwnership(
          claimPending(emptyPhone(PHONE), 'google#A', { code: '1111', expiresAtMs: SOON }, T0),
          'google#A',
          T0,
        ),
        'google#B',
        { code: '2222', expiresAtMs: LATER },
        T0,
      );

      const saved = await phones.savePhone(record, T0);

      expect(saved).toEqual({ ...record, version: 1 });
      expect(await phones.getPhone(PHONE, T0)).toEqual(saved);
    });

    it('refuses a second creator and a stale writer', async () => {
      const first = await phones.savePhone(
        claimPending(emptyPhone(PHONE), 'google#A', { code: '1111', expiresAtMs: LATER }, T0),
        T0,
      );
      await expect(
        phones.savePhone(
          claimPending(emptyPhone(PHONE), 'google#X', { code: '3333', expiresAtMs: LATER }, T0),
          T0,
        ),
      ).rejects.toBeInstanceOf(VersionConflictError);
      const owned = await phones.savePhone(takeOwnership(first, 'google#A', T0), T0);

      await expect(phones.savePhone({ ...first, ownerId: 'google#B' }, T0)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(await phones.getPhone(PHONE, T0)).toEqual(owned);
    });

    it('lets exactly one of two concurrent creators of a number win', async () => {
      const results = await Promise.allSettled([
        phones.savePhone(
          claimPending(emptyPhone(PHONE), 'google#A', { code: '1111', expiresAtMs: LATER }, T0),
          T0,
        ),
        phones.savePhone(
          claimPending(emptyPhone(PHONE), 'google#B', { code: '2222', expiresAtMs: LATER }, T0),
          T0,
        ),
      ]);

      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(VersionConflictError);
    });

    it('leaves out a claim from the moment it expires', async () => {
      const owned = await phones.savePhone(
        claimPending(
          takeOwnership(
            claimPending(emptyPhone(PHONE), 'google#A', { code: '1', expiresAtMs: SOON }, T0),
            'google#A',
            T0,
          ),
          'google#B',
          { code: '2222', expiresAtMs: SOON },
          T0,
        ),
        T0,
      );

      expect((await phones.getPhone(PHONE, SOON - 1))?.pending).toEqual({
        'google#B': { code: '2222', expiresAtMs: SOON },
      });
      expect(await phones.getPhone(PHONE, SOON)).toEqual({
        phone: PHONE,
        ownerId: 'google#A',
        version: owned.version,
      });
    });

    it('forgets an ownerless record with its last claim, and a new one may then be created', async () => {
      await phones.savePhone(
        claimPending(
          claimPending(emptyPhone(PHONE), 'google#A', { code: '1111', expiresAtMs: SOON }, T0),
          'google#B',
          { code: '2222', expiresAtMs: LATER },
          T0,
        ),
        T0,
      );

      expect(await phones.getPhone(PHONE, SOON)).toMatchObject({ pending: { 'google#B': { code: '2222' } } });
      expect(await phones.getPhone(PHONE, LATER)).toBeUndefined();
      const fresh = await phones.savePhone(
        claimPending(emptyPhone(PHONE), 'google#C', { code: '4444', expiresAtMs: LATER + 3600_000 }, LATER),
        LATER,
      );
      expect(fresh.version).toBe(1);
      expect(await phones.getPhone(PHONE, LATER)).toEqual(fresh);
    });

    it('deletes a record that holds nothing any more, and keeps nothing for a vacant new one', async () => {
      const first = await phones.savePhone(
        takeOwnership(
          claimPending(emptyPhone(PHONE), 'google#A', { code: '1111', expiresAtMs: LATER }, T0),
          'google#A',
          T0,
        ),
        T0,
      );

      const released = await phones.savePhone(releasePhone(first, 'google#A', T0), T0);
      const vacant = await phones.savePhone(emptyPhone('+12015550177'), T0);

      expect(released).toEqual({ phone: PHONE, version: 0 });
      expect(vacant).toEqual({ phone: '+12015550177', version: 0 });
      expect(await phones.getPhone(PHONE, T0)).toBeUndefined();
      expect(await phones.getPhone('+12015550177', T0)).toBeUndefined();
    });

    it('refuses to delete a record someone changed since it was read', async () => {
      const first = await phones.savePhone(
        takeOwnership(
          claimPending(emptyPhone(PHONE), 'google#A', { code: '1111', expiresAtMs: LATER }, T0),
          'google#A',
          T0,
        ),
        T0,
      );
      await phones.savePhone(claimPending(first, 'google#B', { code: '2222', expiresAtMs: LATER }, T0), T0);

      await expect(phones.savePhone(releasePhone(first, 'google#A', T0), T0)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect((await phones.getPhone(PHONE, T0))?.ownerId).toBe('google#A');
    });
  });
}
