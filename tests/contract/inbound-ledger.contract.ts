/**
 * The InboundLedger contract (src/ports.ts), run against every implementation: the DynamoDB adapter
 * on dynalite, the in-memory fake. A message id is handled once, until released, for far longer than
 * any redelivery.
 */
import type { InboundLedger } from '../../src/ports';
import { T0 } from '../support/fakes';

const DAY = 86_400_000;

export function describeInboundLedgerContract(name: string, make: () => Promise<InboundLedger>): void {
  describe(`InboundLedger contract: ${name}`, () => {
    let ledger: InboundLedger;
    beforeEach(async () => {
      ledger = await make();
    });

    it('claims an id once: a redelivery (even days later) is a duplicate', async () => {
      const first = await ledger.claimInboundMessage('msg-1', T0);
      const again = await ledger.claimInboundMessage('msg-1', T0);
      const daysLater = await ledger.claimInboundMessage('msg-1', T0 + 6 * DAY);
      const other = await ledger.claimInboundMessage('msg-2', T0);

      expect([first, again, daysLater, other]).toEqual([true, false, false, true]);
    });

    it('gives a message to exactly one of two concurrent deliveries', async () => {
      const claims = await Promise.all([
        ledger.claimInboundMessage('msg-race', T0),
        ledger.claimInboundMessage('msg-race', T0),
      ]);

      expect(claims.sort()).toEqual([false, true]);
    });

    it('lets a released id be claimed again, and releasing an unknown id is no error', async () => {
      await ledger.claimInboundMessage('msg-1', T0);

      await ledger.releaseInboundMessage('msg-1');
      await ledger.releaseInboundMessage('msg-unknown');

      expect(await ledger.claimInboundMessage('msg-1', T0 + 1000)).toBe(true);
      expect(await ledger.claimInboundMessage('msg-1', T0 + 2000)).toBe(false);
    });

    it('forgets an id after its memory ends (over a week), so the ledger does not grow forever', async () => {
      await ledger.claimInboundMessage('msg-1', T0);

      expect(await ledger.claimInboundMessage('msg-1', T0 + 8 * DAY)).toBe(true);
    });
  });
}
