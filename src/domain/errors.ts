/**
 * Typed errors the use cases raise and the handlers map to pages, replies or retries in one place.
 * Messages are for logs; nothing here is shown to a person verbatim.
 */
export class DomainError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The provider no longer accepts the grant (revoked, expired, too many tokens): only a new consent helps. */
export class InvalidGrantError extends DomainError {}

/** The provider rejected the access token: refresh it and try once more. */
export class TokenRejectedError extends DomainError {}

/** The provider asked us to slow down. */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** 5xx, timeouts and dropped connections: worth a bounded retry, then a later round. */
export class ProviderUnavailableError extends DomainError {}

/** The provider answered something we cannot read. Logged, never retried at once. */
export class MalformedResponseError extends DomainError {}

/** HTTP 410 from a retired API (the legacy Fitbit Web API since 2026-11-02): never retried. */
export class ProviderRetiredError extends DomainError {}

/** The provider refused for a reason that no retry will change (403, account not linked). */
export class ProviderRefusedError extends DomainError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Someone else wrote the record since we read it: re-read and try again. */
export class VersionConflictError extends DomainError {}

/** The number is on the account's SMS opt-out list: nothing can be sent to it until it opts in again. */
export class RecipientOptedOutError extends DomainError {}

/** The destination cannot receive texts (invalid or unsupported number): retrying will not help. */
export class RecipientUnreachableError extends DomainError {}

/**
 * The Google account has no Google Health (Fitbit) data to read: never linked or not migrated
 * (`not_linked`, HTTP 400 FAILED_PRECONDITION, reason ACCOUNT_NOT_LINKED), or consent was given with
 * a legacy Fitbit login instead of a Google account (`legacy_login`, HTTP 403 PERMISSION_DENIED).
 * No retry helps: only the person can fix it, then sign up again.
 */
export class AccountNotLinkedError extends DomainError {
  constructor(
    message: string,
    readonly reason: 'not_linked' | 'legacy_login',
  ) {
    super(message);
  }
}

/**
 * The SNS topic (or subscription) a subscriber's record names no longer exists: deleted by hand, or
 * lost. The use cases make it again rather than fail.
 */
export class TopicNotFoundError extends DomainError {}

/**
 * A stored record does not have the shape the domain needs (hand-edited, or written by a bug): the
 * one record is unusable until fixed, everything else goes on. The message names the kind of record
 * and the fields at fault, never the key or any value (numbers and tokens stay out of logs).
 */
export class UnreadableRecordError extends DomainError {
  constructor(
    readonly kind: 'subscriber' | 'phone' | 'signup',
    message: string,
  ) {
    super(message);
  }
}
