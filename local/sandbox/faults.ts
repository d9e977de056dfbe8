/**
 * Fault injection and injected latency, for tests and benchmarks: make the next n matching calls to
 * the token endpoints, the data APIs or SMS fail the way the real services fail (error status with
 * that service's error body, a malformed or empty 200, a dropped connection, a slow answer), and
 * slow every provider answer down by a standing latency.
 *
 *   POST   /sandbox/faults   {"target", "user"?, "phone"?, "status"?, "retryAfter"?, "delayMs"?,
 *                             "body"?: "malformed"|"empty", "reset"?: true, "times"?: 1,
 *                             "reason"?: "ACCOUNT_NOT_LINKED", "message"?: "..."}
 *   (reason and message go into a Health API error: Google's body with an ErrorInfo detail)
 *   GET    /sandbox/faults   active faults with what remains of them, oldest first
 *   DELETE /sandbox/faults   clears them all (DELETE /sandbox/faults/<id> one)
 *   GET|PUT /sandbox/latency {"ms": 100}: added to every token, Health API and legacy API answer
 *
 * Faults live in memory only: a restart starts clean. The first active fault (oldest first) that
 * matches a call is the one spent on it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Ctx } from './context';
import { googleApiErrorBody } from './google-errors';
import { E164, HttpError, type Router, readJson, sendJson } from './http';
import { USER_ID } from './state';

export const FAULT_TARGETS = ['token', 'devices', 'identity', 'settings', 'sms', 'any'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];
/** What a call is: every target but "any". */
export type CallTarget = Exclude<FaultTarget, 'any'>;
/** Whose error body to copy: Google's APIs, Google OAuth, the legacy Fitbit API (and its OAuth), AWS JSON. */
export type ErrorShape = 'google-api' | 'google-oauth' | 'fitbit' | 'aws';

const MAX_DELAY_MS = 120_000;
const MAX_TIMES = 1_000_000_000;
const FAULT_KEYS = [
  'target',
  'user',
  'phone',
  'status',
  'retryAfter',
  'delayMs',
  'body',
  'reset',
  'times',
  'reason',
  'message',
];
/** ErrorInfo reasons are UPPER_SNAKE_CASE, at most 63 characters (google.rpc.ErrorInfo). */
const REASON = /^[A-Z][A-Z0-9_]{0,62}$/;
/** The canonical status a reason implies when it is not the status's usual one. */
const REASON_STATUS: Record<string, string> = { ACCOUNT_NOT_LINKED: 'FAILED_PRECONDITION' };

export interface Fault {
  id: string;
  target: FaultTarget;
  user?: string;
  phone?: string;
  status?: number;
  retryAfter?: number;
  delayMs?: number;
  body?: 'malformed' | 'empty';
  reset?: boolean;
  times: number;
  remaining: number;
  /** ErrorInfo reason and message of a Health API error (Google's error body). */
  reason?: string;
  message?: string;
}

/** What POST /sandbox/faults takes (tests and benchmarks arm faults with it): `times` defaults to 1. */
export type FaultRequest = Omit<Fault, 'id' | 'times' | 'remaining'> & { times?: number };

export interface Call {
  target: CallTarget;
  /** The provider user the call is about, when the sandbox can tell. */
  user?: string;
  /** SMS destination. */
  phone?: string;
}

export class Faults {
  private active: Fault[] = [];
  /** Standing latency added to every provider answer. */
  latencyMs = 0;

  add(fault: Omit<Fault, 'id' | 'remaining'>): Fault {
    const added: Fault = { id: randomUUID(), ...fault, remaining: fault.times };
    this.active.push(added);
    return added;
  }

  list(): Fault[] {
    return this.active.map((f) => ({ ...f }));
  }

  clear(): number {
    const n = this.active.length;
    this.active = [];
    return n;
  }

  remove(id: string): boolean {
    const before = this.active.length;
    this.active = this.active.filter((f) => f.id !== id);
    return this.active.length < before;
  }

  /** Spends one use of the oldest fault matching the call. */
  take(call: Call): Fault | undefined {
    if (this.active.length === 0) return undefined;
    const i = this.active.findIndex((f) => matches(f, call));
    const fault = i < 0 ? undefined : this.active[i];
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.active.splice(i, 1);
    return fault;
  }
}

function matches(fault: Fault, call: Call): boolean {
  if (fault.target !== 'any' && fault.target !== call.target) return false;
  if (call.target === 'sms') {
    // SMS has no provider user: a user filter is ignored on an sms fault, and keeps an "any" fault off SMS.
    if (fault.target === 'any' && fault.user !== undefined) return false;
    return fault.phone === undefined || fault.phone === call.phone;
  }
  if (fault.phone !== undefined) return false;
  return fault.user === undefined || fault.user === call.user;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs before the real handler: waits out the standing latency (provider calls only) and any fault
 * delay, then answers for the fault. Returns true when the call was answered (or dropped) here.
 */
export async function intercept(
  ctx: Ctx,
  req: IncomingMessage,
  res: ServerResponse,
  call: Call,
  shape: ErrorShape,
): Promise<boolean> {
  const fault = ctx.faults.take(call);
  const wait = (call.target === 'sms' ? 0 : ctx.faults.latencyMs) + (fault?.delayMs ?? 0);
  if (wait > 0) {
    // Said before waiting, so tests can see a delay happened without timing it.
    ctx.log(`[faults] ${call.target}${call.user ? ` of ${call.user}` : ''}: waiting ${wait} ms`);
    await sleep(wait);
  }
  if (!fault) return false;
  ctx.log(`[faults] ${call.target}${call.user ? ` of ${call.user}` : ''}: ${describe(fault)}`);
  if (fault.reset) {
    req.socket.destroy();
    return true;
  }
  if (fault.status !== undefined) {
    const { body, headers } = errorAnswer(shape, fault.status, {
      reason: fault.reason,
      message: fault.message,
    });
    if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
    sendJson(res, fault.status, body, headers);
    return true;
  }
  if (fault.body) {
    const text = fault.body === 'empty' ? '' : '{"unexpected": [1, 2,';
    res.writeHead(200, {
      'content-type': shape === 'aws' ? 'application/x-amz-json-1.0' : 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
    });
    res.end(text);
    return true;
  }
  return false;
}

function describe(fault: Fault): string {
  const parts: string[] = [];
  if (fault.delayMs) parts.push(`delay ${fault.delayMs} ms`);
  if (fault.status !== undefined) parts.push(`HTTP ${fault.status}`);
  if (fault.body) parts.push(`${fault.body} body`);
  if (fault.reset) parts.push('connection reset');
  return `${parts.join(', ')} (${fault.remaining} left)`;
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const GOOGLE_MESSAGE: Record<string, string> = {
  RESOURCE_EXHAUSTED: "Quota exceeded for quota metric 'Read requests' of service 'health.googleapis.com'.",
  UNAVAILABLE: 'The service is currently unavailable.',
  INTERNAL: 'Internal error encountered.',
  DEADLINE_EXCEEDED: 'The request was aborted because it timed out.',
};

const OAUTH_ERROR: Record<number, string> = {
  400: 'invalid_request',
  401: 'invalid_client',
  403: 'access_denied',
  429: 'rate_limit_exceeded',
  503: 'temporarily_unavailable',
};

const FITBIT_ERROR: Record<number, string> = {
  400: 'validation',
  401: 'invalid_token',
  403: 'insufficient_permissions',
  404: 'not_found',
  409: 'conflict',
};

/** AWS JSON 1.0 error types of the SMS v2 model, so the SDK raises its modelled exception classes. */
const AWS_ERROR: Record<number, string> = {
  400: 'ValidationException',
  402: 'ServiceQuotaExceededException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  409: 'ConflictException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

/** The error body (and headers) the real service sends with this status. */
export function errorAnswer(
  shape: ErrorShape,
  status: number,
  info: { reason?: string; message?: string } = {},
): { body: unknown; headers: Record<string, string> } {
  const server = status >= 500;
  switch (shape) {
    case 'google-api': {
      const name =
        (info.reason && REASON_STATUS[info.reason]) ??
        GOOGLE_STATUS[status] ??
        (server ? 'INTERNAL' : 'FAILED_PRECONDITION');
      const reason = info.reason ?? (status === 429 ? 'RATE_LIMIT_EXCEEDED' : name);
      const message = info.message ?? GOOGLE_MESSAGE[name] ?? `Injected fault (HTTP ${status}).`;
      return { body: googleApiErrorBody(status, name, message, reason), headers: {} };
    }
    case 'google-oauth': {
      const error = OAUTH_ERROR[status] ?? (server ? 'internal_failure' : 'invalid_request');
      return { body: { error, error_description: `Injected fault (HTTP ${status}).` }, headers: {} };
    }
    case 'fitbit': {
      const errorType = FITBIT_ERROR[status] ?? 'system';
      const message = status === 429 ? 'Too Many Requests' : `Injected fault (HTTP ${status}).`;
      return { body: { errors: [{ errorType, fieldName: 'n/a', message }], success: false }, headers: {} };
    }
    case 'aws': {
      const type =
        AWS_ERROR[status] ??
        (server
          ? 'InternalServerException'
          : status === 401
            ? 'UnrecognizedClientException'
            : 'ValidationException');
      const message = status === 429 ? 'Rate exceeded' : `Injected fault (HTTP ${status}).`;
      const extra = type === 'ValidationException' ? { Reason: 'OTHER' } : {};
      return {
        body: { __type: type, Message: message, message, ...extra },
        headers: {
          'x-amzn-errortype': type,
          'x-amzn-requestid': randomUUID(),
          'content-type': 'application/x-amz-json-1.0',
        },
      };
    }
  }
}

// ---- control endpoints -----------------------------------------------------------------------

function bad(message: string): HttpError {
  return new HttpError(400, { error: message });
}

function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Checks a POST /sandbox/faults body strictly: a typo should fail loudly, not inject nothing. */
export function parseFault(input: unknown): Omit<Fault, 'id' | 'remaining'> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw bad('body must be a JSON object such as {"target": "devices", "status": 503, "times": 2}');
  }
  const b = input as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!FAULT_KEYS.includes(key)) throw bad(`unknown field "${key}" (allowed: ${FAULT_KEYS.join(', ')})`);
  }
  if (!FAULT_TARGETS.includes(b.target as never)) {
    throw bad(`target must be one of ${FAULT_TARGETS.join(', ')}`);
  }
  const fault: Omit<Fault, 'id' | 'remaining'> = { target: b.target as FaultTarget, times: 1 };
  if (b.user !== undefined) {
    if (typeof b.user !== 'string' || !USER_ID.test(b.user))
      throw bad('user must be a sandbox user id (1-63 letters, digits or hyphens)');
    fault.user = b.user;
  }
  if (b.phone !== undefined) {
    if (fault.target !== 'sms') throw bad('phone only applies to target "sms"');
    if (typeof b.phone !== 'string' || !E164.test(b.phone))
      throw bad('phone must be an E.164 number such as +12025550123');
    fault.phone = b.phone;
  }
  if (b.status !== undefined) fault.status = integer(b.status, 'status', 400, 599);
  if (b.retryAfter !== undefined) {
    if (fault.status === undefined) throw bad('retryAfter needs a status');
    fault.retryAfter = integer(b.retryAfter, 'retryAfter', 0, 86400);
  }
  if (b.delayMs !== undefined) fault.delayMs = integer(b.delayMs, 'delayMs', 0, MAX_DELAY_MS);
  if (b.body !== undefined) {
    if (b.body !== 'malformed' && b.body !== 'empty') throw bad('body must be "malformed" or "empty"');
    fault.body = b.body;
  }
  if (b.reset !== undefined) {
    if (typeof b.reset !== 'boolean') throw bad('reset must be true or false');
    if (b.reset) fault.reset = true;
  }
  const effects = [fault.status !== undefined, fault.body !== undefined, fault.reset === true].filter(
    Boolean,
  );
  if (effects.length > 1) throw bad('choose one of status, body and reset (delayMs may go with any)');
  if (effects.length === 0 && !fault.delayMs) {
    throw bad('a fault needs status, body, reset or a positive delayMs');
  }
  if (b.times !== undefined) fault.times = integer(b.times, 'times', 1, MAX_TIMES);
  if (b.reason !== undefined || b.message !== undefined) {
    if (fault.status === undefined) throw bad('reason and message need a status');
    if (fault.target === 'token' || fault.target === 'sms')
      throw bad('reason and message apply to Health API targets (devices, identity, settings, any)');
  }
  if (b.reason !== undefined) {
    if (typeof b.reason !== 'string' || !REASON.test(b.reason))
      throw bad('reason must be an ErrorInfo reason in UPPER_SNAKE_CASE, e.g. ACCOUNT_NOT_LINKED');
    fault.reason = b.reason;
  }
  if (b.message !== undefined) {
    if (typeof b.message !== 'string' || b.message === '' || b.message.length > 500)
      throw bad('message must be a string of 1-500 characters');
    fault.message = b.message;
  }
  return fault;
}

export function registerFaults(router: Router, ctx: Ctx) {
  router.on('GET', '/sandbox/faults', (_req, res) => sendJson(res, 200, ctx.faults.list()));
  router.on('POST', '/sandbox/faults', async (req, res) => {
    const fault = ctx.faults.add(parseFault(await readJson(req)));
    ctx.log(`[faults] armed ${fault.target}: ${describe(fault)}`);
    sendJson(res, 201, fault);
  });
  router.on('DELETE', '/sandbox/faults', (_req, res) => sendJson(res, 200, { cleared: ctx.faults.clear() }));
  router.on('DELETE', '/sandbox/faults/:id', (_req, res, p) => {
    if (!ctx.faults.remove(p.id ?? '')) throw new HttpError(404, { error: `no active fault ${p.id}` });
    sendJson(res, 200, {});
  });
  router.on('GET', '/sandbox/latency', (_req, res) => sendJson(res, 200, { ms: ctx.faults.latencyMs }));
  router.on('PUT', '/sandbox/latency', async (req, res) => {
    const body = (await readJson(req)) as { ms?: unknown } | undefined;
    if (typeof body !== 'object' || body === null) throw bad('body must be {"ms": <0-120000>}');
    ctx.faults.latencyMs = integer(body.ms, 'ms', 0, MAX_DELAY_MS);
    ctx.log(`[faults] provider latency ${ctx.faults.latencyMs} ms`);
    sendJson(res, 200, { ms: ctx.faults.latencyMs });
  });
}
