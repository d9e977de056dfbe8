/**
 * The subscriber as the domain sees it: who they are at the provider, the phone they confirmed, their
 * tokens, and the settings and memory the battery checks need. Pure data and state transitions.
 */
export type ProviderName = 'google' | 'fitbit';

export type SubscriberState = 'pending_confirmation' | 'active' | 'needs_reauth' | 'stopped';

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds after which the access token must not be used. */
  expiresAt: number;
  scope: string;
  /**
   * Epoch milliseconds when the grant itself lapses: Google's `refresh_token_expires_in`, present
   * when the person granted access for a limited time. Absent: no known end.
   */
  refreshExpiresAt?: number;
  /** The "access ends soon" text went out for this grant (a new consent brings new tokens without it). */
  expiryNoticeSent?: boolean;
}

export interface QuietHours {
  /** Hour of day, 0-23, local time, when quiet hours begin. */
  start: number;
  /** Hour of day, 0-23, local time, when quiet hours end. */
  end: number;
}

/** One low-battery episode of one device: it opens when the device is seen low, closes when charged. */
export interface Episode {
  startedAt: number;
  lowSentAt?: number;
  emptySentAt?: number;
  staleSentAt?: number;
}

/** What the service remembers of one device between checks. */
export interface DeviceMemory {
  name: string;
  type: string;
  level?: number;
  status?: string;
  lastSyncTime?: string;
  /** [sync time ms, level %] of the current discharge, oldest first: the basis of the drain estimate. */
  readings?: [number, number][];
  episode?: Episode;
}

export interface Subscriber {
  /** `<provider>#<provider user id>`: stable across sign-ups with the same account. */
  id: string;
  provider: ProviderName;
  providerUserId: string;
  phone: string;
  state: SubscriberState;
  tokens: TokenSet;
  /** The zone quiet hours use: the provider's setting, else the deployment's default. */
  timeZone: string;
  /** Epoch ms of the last read of the provider's time zone setting (re-read at most once a day). */
  timeZoneCheckedAt?: number;
  /** Optimistic-lock counter: every write checks and bumps it. */
  version: number;
  /** Identifies the sign-up that produced the current pending confirmation; changes on each sign-up. */
  signupId: string;
  topicArn?: string;
  subscriptionArn?: string;
  /** The sign-up id whose "reply YES" text was already sent (so a redelivery sends nothing). */
  confirmationSentFor?: string;
  threshold: number;
  quietHours: QuietHours;
  snoozeUntil?: number;
  devices: Record<string, DeviceMemory>;
  /** Epoch ms of the next battery check; absent when nothing is to be checked (not active). */
  nextCheckAt?: number;
  /** Epoch ms of the last completed battery check (absent: none yet, or written before the field). */
  lastCheckedAt?: number;
  /** Consecutive failed checks, for backoff; reset by a good one. */
  failures?: number;
  /**
   * Faster alerts: the person opted in at sign-up and the grant includes a scope Google sends sync
   * notifications for. Only then does a notification make them due for an early check.
   */
  fasterAlerts?: boolean;
  /** Epoch ms of the last early check a sync notification ran at once (the debounce counts from it). */
  lastEarlyCheckAt?: number;
  /** Epoch ms of the one early check a debounced notification scheduled for its period's end. */
  pendingEarlyCheckAt?: number;
  /**
   * Epoch ms of a verified sync notification for this person (refreshed at most every few hours, so
   * not every notification writes): polling relaxes only while notifications are seen to arrive.
   */
  lastNotificationAt?: number;
  createdAt: number;
  updatedAt: number;
  /**
   * Epoch ms, a whole second (lifecycle's `expiryAt`), after which the record is gone: set while a
   * sign-up waits for its YES and once stopped. Stored as epoch seconds (`expiresAt`, `ttl`).
   */
  expiresAtMs?: number;
}

export const DEFAULT_THRESHOLD = 20;
export const DEFAULT_QUIET_HOURS: QuietHours = { start: 22, end: 7 };
/** A sign-up the phone never confirmed is forgotten after this long. */
export const PENDING_SIGNUP_TTL_MS = 24 * 60 * 60 * 1000;

export function subscriberId(provider: ProviderName, providerUserId: string): string {
  return `${provider}#${providerUserId}`;
}
