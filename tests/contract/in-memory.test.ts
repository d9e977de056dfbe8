/**
 * Every store port's contract against the in-memory stand-ins the other tests and the benchmarks use:
 * the fakes in tests/support/fakes.ts and the simulator's store in bench/sim, so neither can drift
 * from the DynamoDB adapters (tests/contract/dynamo.test.ts runs the same contracts on dynalite).
 */
import { SimStore } from '../../bench/sim/emulator';
import { FakeMessenger, FakeRateLimits, FakeStore } from '../support/fakes';
import { describeDueSubscribersContract } from './due-subscribers.contract';
import { describeInboundLedgerContract } from './inbound-ledger.contract';
import { describeMessengerContract } from './messenger.contract';
import { describePhoneDirectoryContract } from './phone-directory.contract';
import { describeRateLimitsContract } from './rate-limits.contract';
import { describeSignupStatesContract } from './signup-states.contract';
import { describeSubscribersContract } from './subscribers.contract';

describeSignupStatesContract('FakeStore', async () => new FakeStore());
describeSubscribersContract('FakeStore', async () => new FakeStore());
describeDueSubscribersContract('FakeStore', async () => new FakeStore());
describePhoneDirectoryContract('FakeStore', async () => new FakeStore());
describeInboundLedgerContract('FakeStore', async () => new FakeStore());
describeRateLimitsContract('FakeRateLimits', async () => new FakeRateLimits());
describeMessengerContract('FakeMessenger', async () => {
  const messenger = new FakeMessenger();
  return {
    messenger,
    optOut: (phone) => messenger.optedOut.add(phone),
    delivered: async () => messenger.deliveries.map(({ phone, text }) => ({ phone, text })),
  };
});

// The simulator drives only the checker and the dispatcher: it serves Subscribers and DueSubscribers.
describeSubscribersContract('bench SimStore', async () => new SimStore());
describeDueSubscribersContract('bench SimStore', async () => new SimStore());
