/**
 * What every part of the sandbox shares: options, the clock, the store and a few user helpers.
 * Kept apart from index.ts so the route modules do not import the server that imports them.
 */
import type { SmsCountryRules, SmsKeywordSettings } from '../serverless-config';
import type { Faults } from './faults';
import { HttpError } from './http';
import type { PhoneNetwork } from './phones';
import { type AuthCode, newUser, type Store, USER_ID, type User } from './state';
import type { Webhooks } from './webhooks';

export interface SandboxOptions {
  host: string;
  port: number;
  /** Persist state as JSON in `<dataDir>/sandbox.json` when given, e.g. `.local`. */
  dataDir?: string;
  clientId: string;
  clientSecret: string;
  /** The service's own number: inbound texts are addressed to it and SMS sends come from it. */
  serviceNumber: string;
  /** Publishes an inbound text (AWS two-way payload JSON) onto the inbound-sms SNS topic. */
  publishInbound: (payloadJson: string) => Promise<void>;
  /** Told when a phone opts out (STOP) or back in (START), so the SNS emulator's list follows. */
  onOptOutChange?: (phone: string, optedOut: boolean) => void | Promise<void>;
  /** How the service's number answers keywords; default: as the packaged template configures it. */
  keywords?: SmsKeywordSettings;
  /**
   * The account's protect configurations (id -> SMS country rules); default: the packaged template's
   * when `keywords` is not given either, else none (naming one is then a ResourceNotFoundException).
   */
  protectConfigurations?: Record<string, SmsCountryRules>;
  /** The stage whose template settings apply (default dev). */
  stage?: string;
  snsUrl?: string;
  log?: (line: string) => void;
  /** Injectable clock (ms since epoch) for expiry tests. */
  now?: () => number;
  /** Authorization code lifetime; Google's is 10 minutes. */
  codeTtlMs?: number;
}

export interface Ctx {
  opts: SandboxOptions;
  now: () => number;
  log: (line: string) => void;
  store: Store;
  codes: Map<string, AuthCode>;
  phones: PhoneNetwork;
  faults: Faults;
  protectConfigurations: Record<string, SmsCountryRules>;
  webhooks: Webhooks;
}

export function validUserId(id: string): boolean {
  return USER_ID.test(id);
}

export function getUser(ctx: Ctx, id: string): User | undefined {
  return Object.hasOwn(ctx.store.data.users, id) ? ctx.store.data.users[id] : undefined;
}

export function ensureUser(ctx: Ctx, id: string): User {
  if (!validUserId(id)) {
    throw new HttpError(400, { error: 'user id must be 1-63 letters, digits or hyphens' });
  }
  const existing = getUser(ctx, id);
  if (existing) return existing;
  const user = newUser(id, ctx.now());
  ctx.store.data.users[id] = user;
  ctx.store.changed();
  ctx.log(`[sandbox] created user ${id}`);
  return user;
}

export function countCall(ctx: Ctx, user: User, kind: string) {
  user.counters.apiCalls[kind] = (user.counters.apiCalls[kind] ?? 0) + 1;
  // A counter is not worth a write of the whole world on every call.
  ctx.store.touched();
}
