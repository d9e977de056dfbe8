/**
 * The items the table holds, and their translation to and from domain types. Every item read is
 * parsed (zod/mini, the same validation as zod at a fraction of the bundle) instead of cast, so a
 * malformed or hand-edited item fails loudly with an UnreadableRecordError that names the kind of
 * record and the fields at fault, never their values (no phone number or token reaches a log).
 *
 * Units: every time in the domain is epoch ms. Epoch seconds exist only here, in the stored form:
 * - `ttl` on every item: DynamoDB's TTL attribute, which counts epoch seconds;
 * - `expiresAt` on subscriber items and on the pending claims of phone items: epoch seconds, the
 *   domain's `expiresAtMs`. The stored name is kept so that items written before the domain said its
 *   unit (and any older code still reading them) read the same; renaming a stored attribute is a
 *   migration, and the table's TTL attribute (`ttl`) must never change on a live table.
 * - `expiresAt` on sign-up state items is epoch ms (it always was): the domain's `expiresAtMs`.
 * Schemas accept what older code wrote: fields added since are optional, phone items from before the
 * optimistic lock have no `version` (read as 0), and attributes no longer used are dropped on read.
 */
import * as z from 'zod/mini';
import { UnreadableRecordError } from '../domain/errors';
import type { PendingClaim, PhoneRecord } from '../domain/lifecycle';
import type { Subscriber } from '../domain/subscriber';
import type { SignupState } from '../ports';
import type { Item } from './dynamo-table';

/*
 * Each schema is built on its first use, not at module load: a function that never reads a kind of
 * record (signup only writes sign-up states) never builds its schema, and cold init stays short.
 */
function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

const text = () => z.string();
const time = () => z.number();
const optionalTime = () => z.optional(z.number());

const buildSubscriberSchema = () =>
  z.object({
    id: text(),
    provider: z.enum(['google', 'fitbit']),
    providerUserId: text(),
    phone: text(),
    state: z.enum(['pending_confirmation', 'active', 'needs_reauth', 'stopped']),
    tokens: z.object({
      accessToken: text(),
      refreshToken: text(),
      expiresAt: time(),
      scope: text(),
      refreshExpiresAt: optionalTime(),
      expiryNoticeSent: z.optional(z.boolean()),
    }),
    timeZone: text(),
    timeZoneCheckedAt: optionalTime(),
    version: z.number(),
    signupId: text(),
    topicArn: z.optional(text()),
    subscriptionArn: z.optional(text()),
    confirmationSentFor: z.optional(text()),
    threshold: z.number(),
    quietHours: z.object({ start: z.number(), end: z.number() }),
    snoozeUntil: optionalTime(),
    devices: z.record(
      text(),
      z.object({
        name: text(),
        type: text(),
        level: z.optional(z.number()),
        status: z.optional(text()),
        lastSyncTime: z.optional(text()),
        readings: z.optional(z.array(z.tuple([time(), z.number()]))),
        episode: z.optional(
          z.object({
            startedAt: time(),
            lowSentAt: optionalTime(),
            emptySentAt: optionalTime(),
            staleSentAt: optionalTime(),
          }),
        ),
      }),
    ),
    nextCheckAt: optionalTime(),
    failures: z.optional(z.number()),
    /** Faster alerts (Google Health webhooks): opted in with the scope granted; last early check. */
    fasterAlerts: z.optional(z.boolean()),
    lastEarlyCheckAt: optionalTime(),
    pendingEarlyCheckAt: optionalTime(),
    lastNotificationAt: optionalTime(),
    lastCheckedAt: optionalTime(),
    createdAt: time(),
    updatedAt: time(),
    /** Epoch seconds. */
    expiresAt: optionalTime(),
  });

const buildPhoneSchema = () =>
  z.object({
    phone: text(),
    ownerId: z.optional(text()),
    /** Claims by subscriber id; `expiresAt` in epoch seconds. */
    pending: z.optional(z.record(text(), z.object({ code: text(), expiresAt: time() }))),
    /** Absent on items written before phone records had an optimistic lock. */
    version: z.optional(z.number()),
  });

const buildSignupSchema = () =>
  z.object({
    state: text(),
    codeVerifier: text(),
    phone: text(),
    browserBinding: text(),
    /** Faster alerts ticked at sign-up. */
    faster: z.optional(z.boolean()),
    /** Epoch ms. */
    expiresAt: time(),
  });

const subscriberSchema = once(buildSubscriberSchema);
const phoneSchema = once(buildPhoneSchema);
const signupSchema = once(buildSignupSchema);

/*
 * Compile-time guards: a field added to a domain type without its schema here fails the typecheck,
 * instead of being silently dropped on the next read. Same keys (optional ones included, which plain
 * assignability would let through) at every level, and values assignable both ways.
 */
type Keys<T> = T extends readonly unknown[] ? never : T extends object ? keyof T : never;
type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [Keys<A>] extends [Keys<B>]
      ? [Keys<B>] extends [Keys<A>]
        ? Keys<A> extends never
          ? true
          : false extends {
                [K in Keys<A>]: Same<NonNullable<A[K & keyof A]>, NonNullable<B[K & keyof B]>>;
              }[Keys<A>]
            ? false
            : true
        : false
      : false
    : false
  : false;
type Renamed<T, From extends string, To extends string> = { [K in keyof T as K extends From ? To : K]: T[K] };
const subscriberSchemaMatches: Same<
  Renamed<z.infer<ReturnType<typeof buildSubscriberSchema>>, 'expiresAt', 'expiresAtMs'>,
  Subscriber
> = true;
const signupSchemaMatches: Same<
  Renamed<z.infer<ReturnType<typeof buildSignupSchema>>, 'expiresAt', 'expiresAtMs'>,
  SignupState
> = true;
const phoneSchemaMatches: Same<keyof z.infer<ReturnType<typeof buildPhoneSchema>>, keyof PhoneRecord> = true;
void subscriberSchemaMatches;
void signupSchemaMatches;
void phoneSchemaMatches;

/** Parses an item with its schema, or throws naming the kind of record and the paths at fault. */
function parse<S extends z.ZodMiniType>(
  kind: UnreadableRecordError['kind'],
  schema: S,
  item: Item,
): z.infer<S> {
  const result = schema.safeParse(item);
  if (result.success) return result.data;
  const faults = result.error.issues.map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.code}`);
  throw new UnreadableRecordError(kind, `stored ${kind} record is malformed (${faults.join('; ')})`);
}

const toSeconds = (ms: number) => Math.ceil(ms / 1000);

export function readSubscriber(item: Item): Subscriber {
  const { expiresAt, ...rest } = parse('subscriber', subscriberSchema(), item);
  return expiresAt === undefined ? rest : { ...rest, expiresAtMs: expiresAt * 1000 };
}

/** The stored attributes of a subscriber (without the table's own `pk`, `kind`, `dueShard`). */
export function subscriberAttributes(subscriber: Subscriber): Item {
  const { expiresAtMs, ...rest } = subscriber;
  if (expiresAtMs === undefined) return rest;
  const seconds = toSeconds(expiresAtMs);
  return { ...rest, expiresAt: seconds, ttl: seconds };
}

export function readPhone(item: Item): PhoneRecord {
  const { pending, version, ...rest } = parse('phone', phoneSchema(), item);
  const record: PhoneRecord = { ...rest, version: version ?? 0 };
  if (pending === undefined) return record;
  const claims: Record<string, PendingClaim> = {};
  for (const [id, claim] of Object.entries(pending)) {
    claims[id] = { code: claim.code, expiresAtMs: claim.expiresAt * 1000 };
  }
  return { ...record, pending: claims };
}

/** The stored attributes of a phone record; `expiresAtMs` is when the whole item may go (TTL). */
export function phoneAttributes(record: PhoneRecord, expiresAtMs: number | undefined): Item {
  const { pending, ...rest } = record;
  const item: Item = { ...rest };
  if (pending !== undefined) {
    const claims: Record<string, { code: string; expiresAt: number }> = {};
    for (const [id, claim] of Object.entries(pending)) {
      claims[id] = { code: claim.code, expiresAt: toSeconds(claim.expiresAtMs) };
    }
    item.pending = claims;
  }
  if (expiresAtMs !== undefined) item.ttl = toSeconds(expiresAtMs);
  return item;
}

export function readSignup(item: Item): SignupState {
  const { expiresAt, ...rest } = parse('signup', signupSchema(), item);
  return { ...rest, expiresAtMs: expiresAt };
}

export function signupAttributes(signup: SignupState): Item {
  const { expiresAtMs, ...rest } = signup;
  return { ...rest, expiresAt: expiresAtMs, ttl: toSeconds(expiresAtMs) };
}
