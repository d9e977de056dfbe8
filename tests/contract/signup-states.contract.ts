/**
 * The SignupStates contract (src/ports.ts), run against every implementation: the DynamoDB adapter
 * on dynalite, the in-memory fake. Single use, bound to one browser, never after its expiry.
 */
import type { SignupState, SignupStates } from '../../src/ports';
import { PHONE, T0 } from '../support/fakes';

const signup = (overrides: Partial<SignupState> = {}): SignupState => ({
  state: 's'.repeat(43),
  codeVerifier: 'verifier-1',
  phone: PHONE,
  browserBinding: 'binding-1',
  expiresAtMs: T0 + 600_000,
  ...overrides,
});

export function describeSignupStatesContract(name: string, make: () => Promise<SignupStates>): void {
  describe(`SignupStates contract: ${name}`, () => {
    let states: SignupStates;
    beforeEach(async () => {
      states = await make();
    });

    it('hands back exactly what was put, once', async () => {
      await states.putSignupState(signup());

      const first = await states.consumeSignupState('s'.repeat(43), 'binding-1', T0);
      const second = await states.consumeSignupState('s'.repeat(43), 'binding-1', T0);

      expect(first).toEqual(signup());
      expect(second).toBeUndefined();
    });

    it('leaves a state presented with another binding usable by its own browser', async () => {
      await states.putSignupState(signup());

      const stranger = await states.consumeSignupState('s'.repeat(43), 'other-binding', T0);
      const owner = await states.consumeSignupState('s'.repeat(43), 'binding-1', T0);

      expect(stranger).toBeUndefined();
      expect(owner).toEqual(signup());
    });

    it('gives nothing for an unknown state', async () => {
      expect(await states.consumeSignupState('u'.repeat(43), 'binding-1', T0)).toBeUndefined();
    });

    it('gives nothing from the moment the state expires, and a millisecond before still gives it', async () => {
      await states.putSignupState(signup({ state: 'a'.repeat(43), expiresAtMs: T0 + 1500 }));
      await states.putSignupState(signup({ state: 'b'.repeat(43), expiresAtMs: T0 + 1500 }));

      expect(await states.consumeSignupState('a'.repeat(43), 'binding-1', T0 + 1500)).toBeUndefined();
      expect(await states.consumeSignupState('b'.repeat(43), 'binding-1', T0 + 1499)).toMatchObject({
        expiresAtMs: T0 + 1500,
      });
    });

    it('refuses to put a state that already exists', async () => {
      await states.putSignupState(signup());

      await expect(states.putSignupState(signup({ phone: '+12015550199' }))).rejects.toThrow();
      expect(await states.consumeSignupState('s'.repeat(43), 'binding-1', T0)).toEqual(signup());
    });
  });
}
