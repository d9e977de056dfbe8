/**
 * Google Health webhooks as the sandbox plays them (issue 15): the `projects.subscribers` management
 * API with Google's verification handshake, signed notifications to every subscriber whenever a user
 * who granted the matching scope syncs, retries with backoff, the public keyset, and forged or
 * replayed notifications for tests.
 *
 *   POST|GET        /v4/projects/<p>/subscribers[?subscriberId=<id>]
 *   GET|PATCH|DELETE /v4/projects/<p>/subscribers/<id>
 *   GET  /googlehealthapi/webhooks/webhooks_public_keyset.json   (Tink JSON public keyset)
 *   POST /sandbox/webhooks/rotate-key
 *   GET|PUT /sandbox/webhooks/settings   {retryBaseMs, maxAttempts, signatureHeader}
 *   GET  /sandbox/webhooks/deliveries[?settled=1]   DELETE clears the log
 *   POST /sandbox/webhooks/forge   {kind, userId?, dataType?, subscriber?, deliveryId?}
 *
 * Subscribers and signing keys persist with the rest of the sandbox; deliveries live in memory.
 *
 * What Google documents (checked 2026-12-01):
 * - the handshake: two POSTs of {"type":"verification"}, with the configured Authorization secret
 *   (expects 201) and without it (expects 401 or 403); both must pass
 *   (https://developers.google.com/health/reference/rest/v4/projects.subscribers/create); failure is
 *   FAILED_PRECONDITION (https://developers.google.com/health/webhooks);
 * - the secret is the whole Authorization header value and is sent with every notification; the
 *   body is signed, ECDSA NIST P-256, header X-HEALTHAPI-SIGNATURE
 *   (https://developers.google.com/health/reference/rest/v4/projects.subscribers, EndpointAuthorization)
 *   or GOOGLE-HEALTH-API-SIGNATURE (the Dart client's copy of the same text,
 *   https://pub.dev/documentation/googleapis/latest/health_v4/EndpointAuthorization-class.html);
 * - scopes: activity covers steps, health metrics covers weight; data types are kebab-case; the
 *   endpoint must be HTTPS (https://developers.google.com/health/webhooks).
 * Known only from public integrations, not from Google's pages: the keyset URL
 * (https://www.gstatic.com/googlehealthapi/webhooks/webhooks_public_keyset.json) and its Tink
 * format, the signature's Tink wire format (0x01, key id, DER) over the raw body, the body
 * `{"data":{healthUserId, dataType, operation, ...}}`, answering 204, retries for up to 7 days.
 * Our choices: the retry schedule, the civil interval fields, the order of the two handshake POSTs,
 * unsigned verification requests.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomInt, sign } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Ctx } from './context';
import { googleApiErrorBody } from './google-errors';
import { legacyLocalTime } from './health-api';
import { HttpError, type Router, readJson, sendJson } from './http';
import type { User } from './state';

export const SIGNATURE_HEADERS = ['X-HEALTHAPI-SIGNATURE', 'GOOGLE-HEALTH-API-SIGNATURE'] as const;
export type SignatureHeader = (typeof SIGNATURE_HEADERS)[number];
/** The data types whose notifications the sandbox sends, and the scopes that let them out. */
export const SYNC_SCOPES: Record<'steps' | 'weight', readonly string[]> = {
  steps: ['activity_and_fitness', 'activity_and_fitness.readonly', 'activity_and_fitness.writeonly'].map(
    (s) => `https://www.googleapis.com/auth/googlehealth.${s}`,
  ),
  weight: [
    'health_metrics_and_measurements',
    'health_metrics_and_measurements.readonly',
    'health_metrics_and_measurements.writeonly',
  ].map((s) => `https://www.googleapis.com/auth/googlehealth.${s}`),
};
/** Data types a subscriber may ask for (Google's list for SubscriberConfig.dataTypes). */
const DATA_TYPES = new Set(['altitude', 'distance', 'floors', 'sleep', 'steps', 'weight']);
const POLICIES = new Set(['AUTOMATIC', 'MANUAL']);
const SUBSCRIBER_ID = /^[a-z][a-z0-9-]{2,34}[a-z0-9]$/;
const PROJECT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ATTEMPT_TIMEOUT_MS = 10_000;
const SETTLE_WAIT_MS = 60_000;
const MAX_LOG = 5_000;

export const FORGE_KINDS = [
  'valid',
  'bad-signature',
  'tampered',
  'no-signature',
  'no-secret',
  'wrong-secret',
  'replay',
] as const;
export type ForgeKind = (typeof FORGE_KINDS)[number];

export interface SubscriberConfig {
  dataTypes: string[];
  subscriptionCreatePolicy: 'AUTOMATIC' | 'MANUAL';
}

/** A registered endpoint, as persisted (the secret is input-only in Google's API: never shown). */
export interface WebhookSubscriber {
  name: string;
  endpointUri: string;
  subscriberConfigs: SubscriberConfig[];
  secret: string;
  createTime: string;
  updateTime: string;
}

/** A signing key: Tink key id, the P-256 private key (PKCS#8 PEM) and its public point. */
export interface SigningKey {
  keyId: number;
  privatePem: string;
  x: string;
  y: string;
}

export interface WebhookState {
  subscribers: Record<string, WebhookSubscriber>;
  keys: SigningKey[];
  primaryKeyId: number;
}

export interface Attempt {
  at: string;
  status?: number;
  error?: string;
}

export interface Delivery {
  id: string;
  kind: 'notification' | 'verification-authorized' | 'verification-unauthorized' | ForgeKind;
  subscriber: string;
  endpointUri: string;
  userId?: string;
  dataType?: string;
  state: 'pending' | 'delivered' | 'failed' | 'answered';
  attempts: Attempt[];
  body: string;
  /** Exactly what went on the wire, for replays (not shown). */
  headers: Record<string, string>;
}

interface Settings {
  retryBaseMs: number;
  maxAttempts: number;
  signatureHeader: SignatureHeader;
}

const DEFAULT_SETTINGS: Settings = {
  retryBaseMs: 1000,
  maxAttempts: 6,
  signatureHeader: 'X-HEALTHAPI-SIGNATURE',
};

function googleError(code: number, status: string, message: string): HttpError {
  return new HttpError(code, googleApiErrorBody(code, status, message));
}
const invalid = (message: string) => googleError(400, 'INVALID_ARGUMENT', message);
const bad = (message: string) => new HttpError(400, { error: message });

function newKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    keyId: randomInt(1, 2 ** 31),
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    x: jwk.x ?? '',
    y: jwk.y ?? '',
  };
}

/** Protobuf length-delimited field (lengths here are all < 128: one varint byte). */
function field(tag: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(tag << 3) | 2, bytes.length]), bytes]);
}

/**
 * Tink's EcdsaPublicKey message: params {hash SHA256=3, curve NIST_P256=2, encoding DER=2}, then the
 * point's coordinates as unsigned big-endian with a leading zero byte, as Google's published keyset has
 * them; version 0 is omitted, as proto3 omits defaults.
 */
export function tinkPublicKeyValue(x: string, y: string): string {
  const params = Buffer.from([0x08, 0x03, 0x10, 0x02, 0x18, 0x02]);
  const coord = (b64url: string) => Buffer.concat([Buffer.from([0]), Buffer.from(b64url, 'base64url')]);
  return Buffer.concat([field(2, params), field(3, coord(x)), field(4, coord(y))]).toString('base64');
}

/** Tink's signature wire format for TINK output prefix: 0x01, the key id (4 bytes), DER signature. */
export function tinkSignature(key: { keyId: number; privateKey: KeyObject }, body: Buffer): string {
  const prefix = Buffer.alloc(5);
  prefix[0] = 1;
  prefix.writeUInt32BE(key.keyId, 1);
  const der = sign('sha256', body, { key: key.privateKey, dsaEncoding: 'der' });
  return Buffer.concat([prefix, der]).toString('base64');
}

/** POSTs a body and reports the status, or why there was none. No pooling: tests close servers promptly. */
function post(uri: string, headers: Record<string, string>, body: string): Promise<Attempt> {
  const at = new Date().toISOString();
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      resolve({ at, error: 'invalid endpoint URI' });
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: ATTEMPT_TIMEOUT_MS,
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => resolve({ at, status: res.statusCode ?? 0 }));
        res.on('error', (err) => resolve({ at, error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`)));
    req.on('error', (err) => resolve({ at, error: err.message }));
    req.end(body);
  });
}

const ok = (a: Attempt) => a.status !== undefined && a.status >= 200 && a.status < 300;

/** Lets the management API pass `http://` only to this machine: the local stack has no TLS. */
function checkEndpoint(uri: unknown): string {
  if (typeof uri !== 'string' || uri === '') throw invalid('endpointUri is required.');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid('endpointUri must be a valid URL.');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw invalid('endpointUri must use HTTPS.');
  return uri;
}

function checkConfigs(value: unknown): SubscriberConfig[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('subscriberConfigs must be a list.');
  return value.map((c: unknown, i) => {
    const at = `subscriberConfigs[${i}]`;
    if (typeof c !== 'object' || c === null) throw invalid(`${at} must be an object.`);
    const { dataTypes, subscriptionCreatePolicy } = c as Record<string, unknown>;
    if (!Array.isArray(dataTypes) || dataTypes.length === 0) throw invalid(`${at}.dataTypes is required.`);
    for (const t of dataTypes)
      if (typeof t !== 'string' || !DATA_TYPES.has(t))
        throw invalid(`${at}.dataTypes: unsupported data type ${JSON.stringify(t)}.`);
    if (typeof subscriptionCreatePolicy !== 'string' || !POLICIES.has(subscriptionCreatePolicy))
      throw invalid(`${at}.subscriptionCreatePolicy must be AUTOMATIC or MANUAL.`);
    return { dataTypes: dataTypes as string[], subscriptionCreatePolicy } as SubscriberConfig;
  });
}

function checkSecret(value: unknown): string {
  if (typeof value !== 'object' || value === null) throw invalid('endpointAuthorization is required.');
  const secret = (value as { secret?: unknown }).secret;
  if (typeof secret !== 'string' || secret.trim() === '')
    throw invalid('endpointAuthorization.secret is required.');
  return secret;
}

function publicSubscriber(s: WebhookSubscriber) {
  return {
    name: s.name,
    endpointUri: s.endpointUri,
    subscriberConfigs: s.subscriberConfigs,
    endpointAuthorization: { secretSet: true },
    createTime: s.createTime,
    updateTime: s.updateTime,
  };
}

/** The civil (zone-less) time Google uses for intervals, in the user's zone, to the second. */
function civil(ms: number, timeZone: string): string {
  return legacyLocalTime(new Date(ms).toISOString(), timeZone || 'UTC').slice(0, 19);
}

export class Webhooks {
  private readonly deliveries: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<() => void>();
  private inFlight = 0;
  private counter = 0;
  private settings: Settings = { ...DEFAULT_SETTINGS };
  private closed = false;
  private readonly privateKeys = new Map<number, KeyObject>();

  constructor(private readonly ctx: Omit<Ctx, 'webhooks'>) {
    const state = this.state();
    if (state.keys.length === 0) this.rotateKey();
  }

  /** The persisted part, created on first use (older sandbox.json files have none). */
  state(): WebhookState {
    const data = this.ctx.store.data;
    data.webhooks ??= { subscribers: {}, keys: [], primaryKeyId: 0 };
    return data.webhooks;
  }

  rotateKey(): number {
    const key = newKey();
    const state = this.state();
    state.keys.push(key);
    state.primaryKeyId = key.keyId;
    this.ctx.store.changed();
    return key.keyId;
  }

  private signer(keyId = this.state().primaryKeyId): { keyId: number; privateKey: KeyObject } {
    let privateKey = this.privateKeys.get(keyId);
    if (!privateKey) {
      const key = this.state().keys.find((k) => k.keyId === keyId);
      if (!key) throw new Error(`no signing key ${keyId}`);
      privateKey = createPrivateKey(key.privatePem);
      this.privateKeys.set(keyId, privateKey);
    }
    return { keyId, privateKey };
  }

  keyset() {
    const state = this.state();
    return {
      primaryKeyId: state.primaryKeyId,
      key: state.keys.map((k) => ({
        keyData: {
          typeUrl: 'type.googleapis.com/google.crypto.tink.EcdsaPublicKey',
          value: tinkPublicKeyValue(k.x, k.y),
          keyMaterialType: 'ASYMMETRIC_PUBLIC',
        },
        status: 'ENABLED',
        keyId: k.keyId,
        outputPrefixType: 'TINK',
      })),
    };
  }

  pending(): number {
    return this.inFlight + this.deliveries.filter((d) => d.state === 'pending').length;
  }

  /** Resolves once nothing is in flight or waiting for a retry. */
  settled(timeoutMs = SETTLE_WAIT_MS): Promise<boolean> {
    if (this.pending() === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(value);
      };
      const wake = () => {
        if (this.pending() === 0) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(wake);
    });
  }

  private wakeWaiters() {
    for (const wake of [...this.waiters]) wake();
  }

  close() {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const d of this.deliveries) if (d.state === 'pending') d.state = 'failed';
    this.wakeWaiters();
  }

  private record(delivery: Omit<Delivery, 'id' | 'attempts'>): Delivery {
    const d: Delivery = { id: `d-${++this.counter}`, attempts: [], ...delivery };
    this.deliveries.push(d);
    if (this.deliveries.length > MAX_LOG) {
      const i = this.deliveries.findIndex((x) => x.state !== 'pending');
      if (i >= 0) this.deliveries.splice(i, 1);
    }
    return d;
  }

  /** One attempt, counted as in flight until it has an answer. */
  private async attempt(d: Delivery): Promise<Attempt> {
    this.inFlight++;
    try {
      const result = await post(d.endpointUri, d.headers, d.body);
      d.attempts.push(result);
      return result;
    } finally {
      this.inFlight--;
    }
  }

  /** Sends a notification, retrying failures with exponential backoff up to maxAttempts. */
  private async deliver(d: Delivery) {
    const result = await this.attempt(d);
    if (ok(result)) {
      d.state = 'delivered';
    } else if (d.attempts.length >= this.settings.maxAttempts || this.closed) {
      d.state = 'failed';
      this.ctx.log(
        `[sandbox] webhook ${d.id} to ${d.endpointUri} gave up after ${d.attempts.length} attempts`,
      );
    } else {
      const wait = this.settings.retryBaseMs * 2 ** (d.attempts.length - 1);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.deliver(d);
      }, wait);
      this.timers.add(timer);
    }
    this.wakeWaiters();
  }

  /** A signed notification body and its headers for one subscriber. */
  private notification(s: WebhookSubscriber, user: User, dataType: string) {
    const now = this.ctx.now();
    const body = JSON.stringify({
      data: {
        healthUserId: user.id,
        dataType,
        operation: 'UPSERT',
        civilIso8601TimeInterval: {
          startTime: civil(now - 15 * 60_000, user.timeZone),
          endTime: civil(now, user.timeZone),
        },
      },
    });
    const headers = {
      'content-type': 'application/json',
      authorization: s.secret,
      [this.settings.signatureHeader.toLowerCase()]: tinkSignature(this.signer(), Buffer.from(body)),
    };
    return { body, headers };
  }

  /** The data types a sync of these devices announces, and to whom. */
  notifySync(user: User): Array<{ dataType: string; deliveries: string[] }> {
    if (user.unlinked) return [];
    const types = new Set<'steps' | 'weight'>();
    for (const d of user.devices) {
      if (d.deviceType === 'TRACKER') types.add('steps');
      if (d.deviceType === 'SCALE') types.add('weight');
    }
    const scopes = new Set(
      this.ctx.store
        .grantsOf(user.id)
        .filter((g) => g.provider === 'google' && !g.revoked)
        .flatMap((g) => g.scope.split(/\s+/)),
    );
    const out: Array<{ dataType: string; deliveries: string[] }> = [];
    for (const dataType of types) {
      if (!SYNC_SCOPES[dataType].some((s) => scopes.has(s))) continue;
      const ids: string[] = [];
      for (const s of Object.values(this.state().subscribers)) {
        const wanted = s.subscriberConfigs.some(
          (c) => c.subscriptionCreatePolicy === 'AUTOMATIC' && c.dataTypes.includes(dataType),
        );
        if (!wanted) continue;
        const { body, headers } = this.notification(s, user, dataType);
        const d = this.record({
          kind: 'notification',
          subscriber: s.name,
          endpointUri: s.endpointUri,
          userId: user.id,
          dataType,
          state: 'pending',
          body,
          headers,
        });
        ids.push(d.id);
        void this.deliver(d);
      }
      out.push({ dataType, deliveries: ids });
    }
    return out;
  }

  /** Google's two verification POSTs; returns why they failed, or undefined when both passed. */
  async verify(name: string, endpointUri: string, secret: string): Promise<string | undefined> {
    const body = JSON.stringify({ type: 'verification' });
    const run = async (kind: Delivery['kind'], headers: Record<string, string>) => {
      const d = this.record({ kind, subscriber: name, endpointUri, state: 'pending', body, headers });
      const result = await this.attempt(d);
      d.state = 'answered';
      this.wakeWaiters();
      return result;
    };
    const describe = (a: Attempt) => (a.status !== undefined ? `HTTP ${a.status}` : `no answer (${a.error})`);
    const authorized = await run('verification-authorized', {
      'content-type': 'application/json',
      authorization: secret,
    });
    if (authorized.status !== 201)
      return `the verification request with the Authorization header got ${describe(authorized)}, expected 201`;
    const unauthorized = await run('verification-unauthorized', { 'content-type': 'application/json' });
    if (unauthorized.status !== 401 && unauthorized.status !== 403)
      return `the verification request without the Authorization header got ${describe(unauthorized)}, expected 401 or 403`;
    return undefined;
  }

  /** One forged or replayed request per targeted subscriber, no retries. */
  async forge(input: {
    kind: ForgeKind;
    userId: string;
    dataType: string;
    subscriber?: string;
    deliveryId?: string;
  }): Promise<Delivery[]> {
    const subscribers = Object.values(this.state().subscribers).filter(
      (s) => input.subscriber === undefined || s.name === input.subscriber,
    );
    if (input.subscriber !== undefined && subscribers.length === 0)
      throw new HttpError(404, { error: `no subscriber ${input.subscriber}` });
    const out: Delivery[] = [];
    for (const s of subscribers) {
      let body: string;
      let headers: Record<string, string>;
      let userId = input.userId;
      let dataType = input.dataType;
      if (input.kind === 'replay') {
        const original = [...this.deliveries]
          .reverse()
          .find(
            (d) =>
              d.kind === 'notification' &&
              d.subscriber === s.name &&
              (input.deliveryId === undefined ? d.state === 'delivered' : d.id === input.deliveryId),
          );
        if (!original)
          throw new HttpError(409, { error: `no delivered notification to replay for ${s.name}` });
        ({ body, headers } = original);
        userId = original.userId ?? userId;
        dataType = original.dataType ?? dataType;
      } else {
        const users = this.ctx.store.data.users;
        const user = Object.hasOwn(users, input.userId) ? users[input.userId] : undefined;
        const fake: User = user ?? ({ id: input.userId, timeZone: 'UTC' } as User);
        ({ body, headers } = this.notification(s, fake, input.dataType));
        headers = { ...headers };
        const sigHeader = this.settings.signatureHeader.toLowerCase();
        if (input.kind === 'bad-signature') {
          // Signed by a key that is not in the keyset, under the real key's id.
          const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
          headers[sigHeader] = tinkSignature(
            { keyId: this.state().primaryKeyId, privateKey: stranger },
            Buffer.from(body),
          );
        } else if (input.kind === 'tampered') {
          body = body.replace(JSON.stringify(input.userId), JSON.stringify(`${input.userId}-x`));
        } else if (input.kind === 'no-signature') {
          delete headers[sigHeader];
        } else if (input.kind === 'no-secret') {
          delete headers.authorization;
        } else if (input.kind === 'wrong-secret') {
          headers.authorization = 'Bearer wrong';
        }
      }
      const d = this.record({
        kind: input.kind,
        subscriber: s.name,
        endpointUri: s.endpointUri,
        userId,
        dataType,
        state: 'pending',
        body,
        headers,
      });
      await this.attempt(d);
      d.state = 'answered';
      this.wakeWaiters();
      out.push(d);
    }
    return out;
  }

  list() {
    return {
      pending: this.pending(),
      deliveries: this.deliveries.map(({ headers: _headers, ...d }) => d),
    };
  }

  clear() {
    for (let i = this.deliveries.length - 1; i >= 0; i--)
      if (this.deliveries[i]?.state !== 'pending') this.deliveries.splice(i, 1);
  }

  getSettings(): Settings {
    return { ...this.settings };
  }

  putSettings(input: unknown): Settings {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw bad('body must be {"retryBaseMs"?, "maxAttempts"?, "signatureHeader"?}');
    const next = { ...this.settings };
    for (const [key, value] of Object.entries(input)) {
      if (key === 'retryBaseMs') {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 3_600_000)
          throw bad('retryBaseMs must be an integer from 0 to 3600000');
        next.retryBaseMs = value;
      } else if (key === 'maxAttempts') {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 20)
          throw bad('maxAttempts must be an integer from 1 to 20');
        next.maxAttempts = value;
      } else if (key === 'signatureHeader') {
        if (!SIGNATURE_HEADERS.includes(value as SignatureHeader))
          throw bad(`signatureHeader must be one of ${SIGNATURE_HEADERS.join(', ')}`);
        next.signatureHeader = value as SignatureHeader;
      } else {
        throw bad(`unknown field "${key}" (allowed: retryBaseMs, maxAttempts, signatureHeader)`);
      }
    }
    this.settings = next;
    return { ...next };
  }
}

/** The management API's caller must present a bearer token (the sandbox does not model IAM). */
function requireBearer(req: IncomingMessage) {
  if (!/^Bearer\s+\S+$/i.test(req.headers.authorization ?? ''))
    throw new HttpError(
      401,
      googleApiErrorBody(
        401,
        'UNAUTHENTICATED',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      ),
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
    );
}

function projectOf(value: string | undefined): string {
  if (!value || !PROJECT_ID.test(value)) throw invalid(`Invalid project: ${value}.`);
  return value;
}

export function registerWebhooks(router: Router, ctx: Ctx, hooks: Webhooks) {
  let operations = 0;
  const operation = (s: WebhookSubscriber) => ({
    name: `${s.name}/operations/op-${++operations}`,
    done: true,
    response: {
      '@type': 'type.googleapis.com/google.devicesandservices.health.v4.Subscriber',
      ...publicSubscriber(s),
    },
  });
  const find = (project: string, id: string | undefined) => {
    const name = `projects/${project}/subscribers/${id}`;
    const s = Object.hasOwn(hooks.state().subscribers, name) ? hooks.state().subscribers[name] : undefined;
    if (!s) throw googleError(404, 'NOT_FOUND', `Subscriber ${name} not found.`);
    return s;
  };

  router.on('POST', '/v4/projects/:project/subscribers', async (req, res, p, url) => {
    requireBearer(req);
    const project = projectOf(p.project);
    const body = (await readJson(req)) as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw invalid('The request body must be a CreateSubscriberPayload.');
    const id = url.searchParams.get('subscriberId') ?? `sub-${randomInt(1e6, 1e7)}`;
    if (!SUBSCRIBER_ID.test(id))
      throw invalid(
        'subscriberId must be 4-36 characters: a lowercase letter, then [a-z0-9-], ending in [a-z0-9].',
      );
    const endpointUri = checkEndpoint(body.endpointUri);
    const subscriberConfigs = checkConfigs(body.subscriberConfigs);
    const secret = checkSecret(body.endpointAuthorization);
    const name = `projects/${project}/subscribers/${id}`;
    if (Object.hasOwn(hooks.state().subscribers, name))
      throw googleError(409, 'ALREADY_EXISTS', `Subscriber ${name} already exists.`);
    const failure = await hooks.verify(name, endpointUri, secret);
    if (failure) throw googleError(400, 'FAILED_PRECONDITION', `Endpoint verification failed: ${failure}.`);
    const at = new Date(ctx.now()).toISOString();
    const s: WebhookSubscriber = {
      name,
      endpointUri,
      subscriberConfigs,
      secret,
      createTime: at,
      updateTime: at,
    };
    hooks.state().subscribers[name] = s;
    ctx.store.changed();
    ctx.log(`[sandbox] webhook subscriber ${name} -> ${endpointUri}`);
    sendJson(res, 200, operation(s));
  });
  router.on('GET', '/v4/projects/:project/subscribers', (req, res, p) => {
    requireBearer(req);
    const prefix = `projects/${projectOf(p.project)}/subscribers/`;
    const list = Object.values(hooks.state().subscribers).filter((s) => s.name.startsWith(prefix));
    sendJson(res, 200, list.length ? { subscribers: list.map(publicSubscriber) } : {});
  });
  router.on('GET', '/v4/projects/:project/subscribers/:id', (req, res, p) => {
    requireBearer(req);
    sendJson(res, 200, publicSubscriber(find(projectOf(p.project), p.id)));
  });
  router.on('PATCH', '/v4/projects/:project/subscribers/:id', async (req, res, p) => {
    requireBearer(req);
    const current = find(projectOf(p.project), p.id);
    const body = (await readJson(req)) as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw invalid('The request body must be a Subscriber.');
    const endpointUri =
      body.endpointUri !== undefined ? checkEndpoint(body.endpointUri) : current.endpointUri;
    const subscriberConfigs =
      body.subscriberConfigs !== undefined ? checkConfigs(body.subscriberConfigs) : current.subscriberConfigs;
    const secret =
      body.endpointAuthorization !== undefined ? checkSecret(body.endpointAuthorization) : current.secret;
    const failure = await hooks.verify(current.name, endpointUri, secret);
    if (failure) throw googleError(400, 'FAILED_PRECONDITION', `Endpoint verification failed: ${failure}.`);
    const next = {
      ...current,
      endpointUri,
      subscriberConfigs,
      secret,
      updateTime: new Date(ctx.now()).toISOString(),
    };
    hooks.state().subscribers[current.name] = next;
    ctx.store.changed();
    sendJson(res, 200, operation(next));
  });
  router.on('DELETE', '/v4/projects/:project/subscribers/:id', (req, res, p) => {
    requireBearer(req);
    const s = find(projectOf(p.project), p.id);
    delete hooks.state().subscribers[s.name];
    ctx.store.changed();
    sendJson(res, 200, {});
  });

  router.on('GET', '/googlehealthapi/webhooks/webhooks_public_keyset.json', (_req, res) =>
    sendJson(res, 200, hooks.keyset()),
  );
  router.on('POST', '/sandbox/webhooks/rotate-key', (_req, res) =>
    sendJson(res, 200, { primaryKeyId: hooks.rotateKey() }),
  );
  router.on('GET', '/sandbox/webhooks/settings', (_req, res) => sendJson(res, 200, hooks.getSettings()));
  router.on('PUT', '/sandbox/webhooks/settings', async (req, res) =>
    sendJson(res, 200, hooks.putSettings(await readJson(req))),
  );
  router.on('GET', '/sandbox/webhooks/deliveries', async (_req, res, _p, url) => {
    if (url.searchParams.get('settled') === '1' && !(await hooks.settled())) {
      sendJson(res, 504, { error: 'deliveries still pending after 60 s', ...hooks.list() });
      return;
    }
    sendJson(res, 200, hooks.list());
  });
  router.on('DELETE', '/sandbox/webhooks/deliveries', (_req, res) => {
    hooks.clear();
    sendJson(res, 200, {});
  });
  router.on('POST', '/sandbox/webhooks/forge', async (req, res) => {
    const body = (await readJson(req)) as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw bad('body must be {"kind", "userId"?, "dataType"?, "subscriber"?, "deliveryId"?}');
    const allowed = new Set(['kind', 'userId', 'dataType', 'subscriber', 'deliveryId']);
    for (const key of Object.keys(body)) if (!allowed.has(key)) throw bad(`unknown field "${key}"`);
    if (!FORGE_KINDS.includes(body.kind as ForgeKind))
      throw bad(`kind must be one of ${FORGE_KINDS.join(', ')}`);
    for (const key of ['userId', 'dataType', 'subscriber', 'deliveryId'])
      if (body[key] !== undefined && (typeof body[key] !== 'string' || body[key] === ''))
        throw bad(`${key} must be a non-empty string`);
    if (body.kind !== 'replay' && body.userId === undefined) throw bad('userId is required for this kind');
    const deliveries = await hooks.forge({
      kind: body.kind as ForgeKind,
      userId: (body.userId as string | undefined) ?? '',
      dataType: (body.dataType as string | undefined) ?? 'steps',
      subscriber: body.subscriber as string | undefined,
      deliveryId: body.deliveryId as string | undefined,
    });
    sendJson(res, 200, { deliveries: deliveries.map(({ headers: _h, ...d }) => d) });
  });
}
