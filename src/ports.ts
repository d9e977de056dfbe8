/**
 * The interfaces the use cases need from the outside world. Owned by the domain side; adapters in
 * src/adapters implement them and src/functions/<function>.ts wires them once per Lambda container.
 */
import type { Device } from './domain/device';
import type { PhoneRecord } from './domain/lifecycle';
import type { ProviderName, Subscriber, TokenSet } from './domain/subscriber';

export type { BatteryStatus, Device, DeviceType } from './domain/device';
export type { PhoneRecord } from './domain/lifecycle';

export interface ProviderProfile {
  userId: string;
  /** IANA zone from the provider's settings; undefined when the person never set one. */
  timeZone?: string;
}

/** A fresh authorization request: where to send the browser, and what to remember until it returns. */
export interface AuthorizationStart {
  url: string;
  state: string;
  codeVerifier: string;
}

export interface HealthProvider {
  readonly name: ProviderName;
  /**
   * What revoking one token ends: just that grant ('token'), or the account's whole authorization of
   * this client, newer grants included ('authorization', as Google does). A replaced refresh token is
   * only revoked where that cannot cut off the grant that replaced it.
   */
  readonly revocation: 'token' | 'authorization';
  /** Origin of the consent page, so pages can allow the redirect to it in their CSP. */
  readonly authorizationOrigin: string;
  /** Creates state and PKCE verifier (S256) and the consent URL carrying them. */
  startAuthorization(redirectUri: string): Promise<AuthorizationStart>;
  exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  /** True when the granted scope covers everything the service reads. */
  hasRequiredScope(grantedScope: string): boolean;
  getProfile(accessToken: string): Promise<ProviderProfile>;
  /** The time zone alone (one call), for the daily re-read during checks. */
  getTimeZone(accessToken: string): Promise<string | undefined>;
  listDevices(accessToken: string): Promise<Device[]>;
  revoke(token: string): Promise<void>;
}

/** A pending OAuth sign-up: single use, short-lived. */
export interface SignupState {
  state: string;
  codeVerifier: string;
  phone: string;
  /** SHA-256 of the nonce in the browser's cookie, so only that browser can complete it. */
  browserBinding: string;
  /** Epoch ms after which the state is spent. */
  expiresAtMs: number;
}

/*
 * Every time in these ports is epoch ms; a record's expiry (`expiresAtMs`) is a whole second, as the
 * table keeps it (lifecycle's `expiryAt`). A stored record that cannot be parsed into its domain type
 * makes the read throw UnreadableRecordError (src/domain/errors.ts). tests/contract holds each port's
 * contract, run against every implementation (the DynamoDB adapters, the fakes, the simulator).
 *
 * The subscriber table serves five narrow ports, one adapter each (src/adapters/dynamo-*.ts), so a
 * function is given, bundles and is allowed (IAM) only the reads and writes it makes:
 * - SignupStates: pending OAuth sign-ups (signup writes, oauthCallback consumes);
 * - Subscribers: subscriber records by id, under optimistic locking;
 * - DueSubscribers: the index of who is due for a check (the dispatcher's only read);
 * - PhoneDirectory: who a phone number belongs to, and the sign-ups waiting for its YES;
 * - InboundLedger: inbound message ids already handled (duplicate deliveries);
 * - RateLimits: expiring counters keyed by an HMAC of the number or account.
 */

export interface SignupStates {
  putSignupState(signup: SignupState): Promise<void>;
  /**
   * Returns and deletes the state atomically, but only for the browser it is bound to: a state
   * presented with another binding stays usable by its own browser. Undefined when unknown, used,
   * expired or bound elsewhere.
   */
  consumeSignupState(state: string, browserBinding: string, now: number): Promise<SignupState | undefined>;
}

export interface Subscribers {
  getSubscriber(id: string, now: number): Promise<Subscriber | undefined>;
  /** Several subscribers in one consistent read (those that exist and have not expired). */
  getSubscribers(ids: string[], now: number): Promise<Map<string, Subscriber>>;
  /**
   * Saves the subscriber if nobody wrote it since it was read at `subscriber.version` (0 = new).
   * Returns it with the new version. Throws VersionConflictError otherwise.
   */
  saveSubscriber(subscriber: Subscriber): Promise<Subscriber>;
  deleteSubscriber(id: string): Promise<void>;
}

export interface DueSubscribers {
  /**
   * Active subscribers whose next check is due at `now` (all active ones when `force`), in pages of
   * ids. Reads an index of active subscribers only, so a round costs what is due, not the table.
   */
  listDue(now: number, options: { force: boolean; pageSize: number }): AsyncIterable<string[]>;
}

export interface PhoneDirectory {
  /** The number's owner and pending sign-ups (claims past their expiry left out); undefined if none. */
  getPhone(phone: string, now: number): Promise<PhoneRecord | undefined>;
  /**
   * Saves the phone record if nobody wrote it since it was read at `record.version` (0 = new), and
   * deletes it instead when it holds nothing any more (no owner, nothing pending). An ownerless record
   * expires with its last pending claim. Throws VersionConflictError otherwise.
   */
  savePhone(record: PhoneRecord, now: number): Promise<PhoneRecord>;
}

/**
 * Counters that only exist to limit what one number or one account can make the service do. They are
 * keyed by an HMAC of the subject (never the number itself) and expire with their window.
 */
export interface RateLimits {
  /** Counts one use of `kind` by `subject` in the current window; false once `max` were counted. */
  take(kind: string, subject: string, max: number, windowMs: number, now: number): Promise<boolean>;
  /** At most one per `windowMs` since the last one allowed: true when this one may go, and records it. */
  cooldown(kind: string, subject: string, windowMs: number, now: number): Promise<boolean>;
  /**
   * Records `member` for `subject` in the current window; false when `max` other members were
   * recorded already (the same member again is always allowed).
   */
  takeDistinct(
    kind: string,
    subject: string,
    member: string,
    max: number,
    windowMs: number,
    now: number,
  ): Promise<boolean>;
}

export interface InboundLedger {
  /** Records an inbound message id; false when it was already recorded (a duplicate delivery). */
  claimInboundMessage(messageId: string, now: number): Promise<boolean>;
  /** Forgets a claimed id so a retry after a failure can process the message. */
  releaseInboundMessage(messageId: string): Promise<void>;
}

/** Everything the subscriber table serves (an in-memory fake or a simulator may implement it whole). */
export type SubscriberStore = SignupStates & Subscribers & DueSubscribers & PhoneDirectory & InboundLedger;

/**
 * Texts and per-user topics. Each operation is a separate adapter function (src/adapters/sns-*.ts,
 * sms-sender.ts), and each use case names the operations it uses (`Pick<Messenger, ...>`), so a
 * function's bundle and role carry only the SNS and SMS actions it sends.
 */
/** One subscription of a topic, as SNS lists it. */
export interface TopicSubscription {
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
}

export interface Messenger {
  /** Creates (or finds) the topic with this name; idempotent. */
  ensureTopic(name: string): Promise<string>;
  /** Subscribes a phone by SMS; idempotent for the same topic and phone. */
  subscribeSms(topicArn: string, phone: string): Promise<string>;
  unsubscribe(subscriptionArn: string): Promise<void>;
  /** Every subscription of the topic (all pages). */
  listSubscriptions(topicArn: string): Promise<TopicSubscription[]>;
  deleteTopic(topicArn: string): Promise<void>;
  /** True when the number is on the account's SMS opt-out list (texts to it are dropped). */
  isOptedOut(phone: string): Promise<boolean>;
  /** Takes the number off the account's SMS opt-out lists: only when the person asked (START). */
  optIn(phone: string): Promise<void>;
  /** Sends a text to everyone subscribed to the topic. */
  publish(topicArn: string, text: string): Promise<void>;
  /** Sends one text straight to a number, from `from` when given (so a reply stays in its thread). */
  sendText(to: string, text: string, from?: string): Promise<void>;
}

/** What one checker invocation did. */
export interface CheckSummary {
  checked: number;
  texted: number;
  deferred: number;
  failed: number;
  skipped: number;
}

/** Hands a batch of subscribers to a checker (another Lambda on AWS and locally) and reports back. */
export interface CheckDispatcher {
  check(subscriberIds: string[], force: boolean): Promise<CheckSummary>;
}

export interface NewSubscriberEvent {
  subscriberId: string;
  signupId: string;
}

export interface EventPublisher {
  publishNewSubscriber(event: NewSubscriberEvent): Promise<void>;
}

export interface Clock {
  now(): number;
}

export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}
