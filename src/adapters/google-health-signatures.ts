/**
 * Checks that a webhook notification was signed by the Google Health API: an ECDSA P-256 / SHA-256
 * signature of the raw body, in Tink's wire format (0x01, a 4-byte key id, the DER signature),
 * base64 in the signature header, verified against Google's public Tink keyset. The keyset is fetched
 * from the configured URL (Google's in production, the sandbox's locally) and cached per container;
 * a key id it does not hold (Google rotates keys) makes it fetch again, at most once a minute, so
 * forged key ids cannot make us hammer the URL.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import * as z from 'zod/mini';
import type { NotificationSignatures } from '../ports';
import { type FetchLike, fetchWithDeadline } from './http';

const TINK_PREFIX = 0x01;
const ECDSA_PUBLIC_KEY = 'type.googleapis.com/google.crypto.tink.EcdsaPublicKey';
/** Tink's enum values in EcdsaParams: SHA256 = 3, NIST_P256 = 2. */
const SHA256 = 3;
const NIST_P256 = 2;
/** A signature or key far longer than P-256 needs is not one. */
const MAX_SIGNATURE_CHARS = 400;

const keysetSchema = z.object({
  key: z.array(
    z.object({
      keyId: z.number(),
      status: z.optional(z.string()),
      outputPrefixType: z.optional(z.string()),
      keyData: z.object({ typeUrl: z.string(), value: z.string() }),
    }),
  ),
});

export interface KeysetOptions {
  url: string;
  timeoutMs: number;
  /** How long a fetched keyset is trusted before it is fetched again. */
  maxAgeMs?: number;
  /** The least time between two fetches caused by unknown key ids. */
  refetchAfterMs?: number;
  fetch?: FetchLike;
  now?: () => number;
}

/** Reads the protobuf fields of one message: field number -> varint or bytes (last one wins). */
function protoFields(bytes: Uint8Array): Map<number, number | Uint8Array> {
  const fields = new Map<number, number | Uint8Array>();
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = bytes[at++];
      if (byte === undefined) throw new Error('truncated varint');
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error('varint too long');
  };
  while (at < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) fields.set(field, varint());
    else if (wire === 2) {
      const length = varint();
      if (at + length > bytes.length) throw new Error('truncated field');
      fields.set(field, bytes.subarray(at, at + length));
      at += length;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

/** A big-endian coordinate as exactly 32 bytes (Tink may add a leading zero byte). */
function coordinate(value: unknown): Buffer {
  if (!(value instanceof Uint8Array)) throw new Error('missing coordinate');
  let bytes = Buffer.from(value);
  while (bytes.length > 32 && bytes[0] === 0) bytes = bytes.subarray(1);
  if (bytes.length > 32) throw new Error('coordinate too long');
  return Buffer.concat([Buffer.alloc(32 - bytes.length), bytes]);
}

/** The P-256 key of one EcdsaPublicKey protobuf, or an error for any other kind of key. */
export function ecdsaPublicKey(serialized: Uint8Array): KeyObject {
  const key = protoFields(serialized);
  const params = key.get(2);
  if (!(params instanceof Uint8Array)) throw new Error('missing params');
  const p = protoFields(params);
  if (p.get(1) !== SHA256 || p.get(2) !== NIST_P256) throw new Error('not an ECDSA P-256 / SHA-256 key');
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: coordinate(key.get(3)).toString('base64url'),
      y: coordinate(key.get(4)).toString('base64url'),
    },
    format: 'jwk',
  });
}

/** The enabled ECDSA P-256 keys of a Tink JSON public keyset, by key id; others are skipped. */
export function parseKeyset(json: unknown): Map<number, KeyObject> {
  const keys = new Map<number, KeyObject>();
  for (const entry of keysetSchema.parse(json).key) {
    if (entry.status !== undefined && entry.status !== 'ENABLED') continue;
    if (entry.keyData.typeUrl !== ECDSA_PUBLIC_KEY) continue;
    try {
      keys.set(entry.keyId >>> 0, ecdsaPublicKey(Buffer.from(entry.keyData.value, 'base64')));
    } catch {
      // A key of a kind we do not verify with: skipped, the others still count.
    }
  }
  return keys;
}

export class GoogleHealthSignatures implements NotificationSignatures {
  /** The last keyset fetched and read well, and when. */
  private good?: Map<number, KeyObject>;
  private goodAt = Number.NEGATIVE_INFINITY;
  /** When the last fetch started, whatever came of it: fetches are at least `refetchAfterMs` apart. */
  private attemptedAt = Number.NEGATIVE_INFINITY;
  /** The fetch under way, shared by every verification waiting for it. */
  private loading?: Promise<Map<number, KeyObject>>;

  constructor(private readonly options: KeysetOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async fetchKeys(): Promise<Map<number, KeyObject>> {
    this.attemptedAt = this.now();
    const response = await fetchWithDeadline(
      this.options.fetch ?? fetch,
      this.options.url,
      { headers: { accept: 'application/json' } },
      this.options.timeoutMs,
    );
    if (!response.ok) throw new Error(`public keyset: HTTP ${response.status}`);
    return parseKeyset(await response.json());
  }

  /** Fetches the keyset; when that fails, the last good keys go on serving (the failure is thrown only without any). */
  private refresh(): Promise<Map<number, KeyObject>> {
    this.loading ??= this.fetchKeys()
      .then(
        (keys) => {
          this.good = keys;
          this.goodAt = this.now();
          return keys;
        },
        (error: unknown) => {
          if (this.good) return this.good;
          throw error;
        },
      )
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  private async keyFor(keyId: number): Promise<KeyObject | undefined> {
    const stale = !this.good || this.now() - this.goodAt >= (this.options.maxAgeMs ?? 3_600_000);
    const unknown = this.good !== undefined && !this.good.has(keyId);
    // A refresh at most once a minute, failed or not: neither unknown key ids nor a keyset host that
    // is down make every notification fetch.
    const mayFetch =
      this.loading !== undefined || this.now() - this.attemptedAt >= (this.options.refetchAfterMs ?? 60_000);
    if ((stale || unknown) && mayFetch) return (await this.refresh()).get(keyId);
    // No keys at all, and a fetch failed within the minute: thrown, so Google delivers it again later.
    if (!this.good) throw new Error('public keyset: unavailable; fetched again after a minute');
    return this.good.get(keyId);
  }

  /** True only for a well-formed Tink signature, by a key in Google's keyset, of exactly `body`. */
  async verify(body: Uint8Array, signature: string): Promise<boolean> {
    if (signature.length === 0 || signature.length > MAX_SIGNATURE_CHARS) return false;
    const raw = Buffer.from(signature.trim(), 'base64');
    if (raw.length < 6 || raw[0] !== TINK_PREFIX) return false;
    const key = await this.keyFor(raw.readUInt32BE(1));
    if (!key) return false;
    try {
      return verify('sha256', body, { key, dsaEncoding: 'der' }, raw.subarray(5));
    } catch {
      return false;
    }
  }
}
