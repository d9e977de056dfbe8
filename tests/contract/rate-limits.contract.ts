/**
 * The RateLimits contract (src/ports.ts), run against every implementation: the DynamoDB adapter on
 * dynalite, the in-memory fake. Fixed windows aligned to the epoch; a refused use counts nothing.
 */
import type { RateLimits } from '../../src/ports';
import { PHONE, T0 } from '../support/fakes';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** T0 is noon UTC: the day window it falls in ends at the next midnight. */
const NEXT_DAY = Math.ceil(T0 / DAY) * DAY;

export function describeRateLimitsContract(name: string, make: () => Promise<RateLimits>): void {
  describe(`RateLimits contract: ${name}`, () => {
    let limits: RateLimits;
    beforeEach(async () => {
      limits = await make();
    });

    it('allows `max` uses per window, refuses the rest, and starts afresh in the next window', async () => {
      const today: boolean[] = [];
      for (let i = 0; i < 4; i++) today.push(await limits.take('confirmations', PHONE, 3, DAY, T0 + i));
      const lastMs = await limits.take('confirmations', PHONE, 3, DAY, NEXT_DAY - 1);
      const tomorrow = await limits.take('confirmations', PHONE, 3, DAY, NEXT_DAY);

      expect(today).toEqual([true, true, true, false]);
      expect(lastMs).toBe(false);
      expect(tomorrow).toBe(true);
    });

    it('counts each kind and each subject on its own', async () => {
      await limits.take('confirmations', PHONE, 1, DAY, T0);

      const otherKind = await limits.take('replies', PHONE, 1, DAY, T0);
      const otherSubject = await limits.take('confirmations', '+12015550199', 1, DAY, T0);
      const same = await limits.take('confirmations', PHONE, 1, DAY, T0);

      expect([otherKind, otherSubject, same]).toEqual([true, true, false]);
    });

    it('allows one per cooldown from the last one allowed; a refused one does not restart it', async () => {
      const first = await limits.cooldown('hint', PHONE, HOUR, T0);
      const early = await limits.cooldown('hint', PHONE, HOUR, T0 + HOUR / 2);
      const justBefore = await limits.cooldown('hint', PHONE, HOUR, T0 + HOUR - 1);
      const after = await limits.cooldown('hint', PHONE, HOUR, T0 + HOUR);
      const otherSubject = await limits.cooldown('hint', '+12015550199', HOUR, T0 + HOUR);

      expect([first, early, justBefore, after, otherSubject]).toEqual([true, false, false, true, true]);
    });

    it('records up to `max` distinct members per window; a member already recorded is always allowed', async () => {
      const taken: boolean[] = [];
      for (const member of ['+12015550101', '+12015550102', '+12015550103', '+12015550104', '+12015550101'])
        taken.push(await limits.takeDistinct('account-numbers', 'google#ACCT', member, 3, DAY, T0));
      const tomorrow = await limits.takeDistinct(
        'account-numbers',
        'google#ACCT',
        '+12015550104',
        3,
        DAY,
        NEXT_DAY,
      );

      expect(taken).toEqual([true, true, true, false, true]);
      expect(tomorrow).toBe(true);
    });
  });
}
