/**
 * The phone network: every text the service sends lands in a conversation here, whether it went
 * through SNS or through AWS End User Messaging SMS (v2 SendTextMessage, emulated on POST /), and
 * texts typed into the sandbox travel back as AWS two-way SMS payloads. It also keeps the account's
 * opt-out list, and answers keywords (STOP, HELP, START) as AWS and the carriers would (./keywords).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import type { SmsKeywordSettings } from '../serverless-config';
import type { Ctx } from './context';
import { intercept } from './faults';
import { E164, HttpError, maskPhone, readBody } from './http';
import { answerKeyword } from './keywords';
import type { PhoneMessage, Store } from './state';

const OPT_OUT_LIST = 'Default';

export interface PhoneSummary {
  phone: string;
  messages: number;
  lastAt?: string;
  optedOut: boolean;
}

export interface PhoneNetworkDeps {
  store: Store;
  now: () => number;
  log: (line: string) => void;
  serviceNumber: string;
  /** How the service's number answers keywords, from the template. */
  keywords: SmsKeywordSettings;
  publishInbound: (payloadJson: string) => Promise<void>;
  onOptOutChange?: (phone: string, optedOut: boolean) => void | Promise<void>;
}

export class PhoneNetwork {
  constructor(private readonly deps: PhoneNetworkDeps) {}

  private get data() {
    return this.deps.store.data;
  }

  private thread(phone: string): PhoneMessage[] {
    if (!Object.hasOwn(this.data.phones, phone)) this.data.phones[phone] = [];
    return this.data.phones[phone] ?? [];
  }

  /** Records a text sent by the service to `to`. Returns the recorded message. */
  deliver(to: string, body: string, from: string = this.deps.serviceNumber): PhoneMessage {
    if (!E164.test(to)) throw new Error('destination is not an E.164 number');
    const message: PhoneMessage = {
      id: randomUUID(),
      direction: 'out',
      body,
      at: new Date(this.deps.now()).toISOString(),
      from,
    };
    this.thread(to).push(message);
    this.deps.store.changed();
    this.deps.log(`[phones] text to ${maskPhone(to)} (${body.length} chars)`);
    return message;
  }

  /** A phone texts the service: record it, apply STOP/START, publish the two-way payload. */
  async receive(from: string, body: string, inboundMessageId: string = randomUUID()): Promise<string> {
    if (!E164.test(from)) throw new Error('sender is not an E.164 number');
    const thread = this.thread(from);
    const previousOut = [...thread].reverse().find((m) => m.direction === 'out');
    thread.push({
      id: inboundMessageId,
      direction: 'in',
      body,
      at: new Date(this.deps.now()).toISOString(),
      from,
    });
    this.deps.store.changed();
    // The network acts first (the opt-out list, its own reply), then forwards the text to the service.
    const answer = answerKeyword(this.deps.keywords, body);
    if (answer.optOut !== undefined) await this.setOptOut(from, answer.optOut);
    if (answer.reply) this.deliver(from, answer.reply);
    const payload = {
      originationNumber: from,
      destinationNumber: this.deps.serviceNumber,
      messageKeyword: body.trim().split(/\s+/)[0]?.toUpperCase() ?? '',
      messageBody: body,
      inboundMessageId,
      previousPublishedMessageId: previousOut?.id ?? '',
    };
    this.deps.log(`[phones] text from ${maskPhone(from)} (${body.length} chars)`);
    await this.deps.publishInbound(JSON.stringify(payload));
    return inboundMessageId;
  }

  messages(phone: string): PhoneMessage[] {
    return Object.hasOwn(this.data.phones, phone) ? [...(this.data.phones[phone] ?? [])] : [];
  }

  clear(phone: string) {
    delete this.data.phones[phone];
    this.deps.store.changed();
  }

  list(): PhoneSummary[] {
    const numbers = new Set([...Object.keys(this.data.phones), ...Object.keys(this.data.optOuts)]);
    return [...numbers].sort().map((phone) => {
      const thread = this.messages(phone);
      return { phone, messages: thread.length, lastAt: thread.at(-1)?.at, optedOut: this.isOptedOut(phone) };
    });
  }

  /** The opt-out list, e.g. to seed the SNS emulator's list after loading persisted state. */
  optedOutNumbers(): string[] {
    return Object.keys(this.data.optOuts);
  }

  isOptedOut(phone: string): boolean {
    return Object.hasOwn(this.data.optOuts, phone);
  }

  /** Changes the SMS opt-out list and tells the SNS emulator so both lists agree. */
  async setOptOut(phone: string, optedOut: boolean) {
    if (optedOut) this.data.optOuts[phone] ??= new Date(this.deps.now()).toISOString();
    else delete this.data.optOuts[phone];
    this.deps.store.changed();
    this.deps.log(`[phones] ${maskPhone(phone)} opted ${optedOut ? 'out' : 'in'}`);
    try {
      await this.deps.onOptOutChange?.(phone, optedOut);
    } catch (err) {
      this.deps.log(`[phones] opt-out callback failed: ${(err as Error).message}`);
    }
  }
}

// ---- AWS End User Messaging SMS v2 (awsJson1_0 on POST /) ------------------------------------

function awsError(type: string, message: string, extra: Record<string, unknown> = {}): HttpError {
  return new HttpError(
    400,
    { __type: type, Message: message, message, ...extra },
    { 'x-amzn-errortype': type },
  );
}

function validation(message: string, field: string): HttpError {
  return awsError('ValidationException', message, {
    Reason: 'INVALID_PARAMETER',
    Fields: [{ Name: field, Message: message }],
  });
}

function str(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' ? value : undefined;
}

export async function handleSmsV2(ctx: Ctx, req: IncomingMessage, res: ServerResponse) {
  const target = String(req.headers['x-amz-target'] ?? '');
  const raw = await readBody(req);
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = raw.trim() === '' ? {} : JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    throw awsError('SerializationException', 'Request body is not a JSON object.');
  }
  const operation = target.startsWith('PinpointSMSVoiceV2.')
    ? target.slice('PinpointSMSVoiceV2.'.length)
    : '';
  if (operation === 'SendTextMessage') {
    const call = { target: 'sms', phone: str(body, 'DestinationPhoneNumber') } as const;
    if (await intercept(ctx, req, res, call, 'aws')) return;
  }
  const result = smsOperation(ctx, operation, body);
  const text = JSON.stringify(result);
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
  res.end(text);
}

/** The ISO country AWS would bill `to` to: by number range, else the calling code's main country. */
function countryOfNumber(to: string): string | undefined {
  const parsed = parsePhoneNumberFromString(to);
  if (!parsed) return undefined;
  const codes = metadata.country_calling_codes as Record<string, string[] | undefined>;
  return parsed.country ?? codes[parsed.countryCallingCode]?.[0];
}

/**
 * A text naming a protect configuration obeys its SMS country rules: an unknown id is not found, and
 * a blocked country is refused with the ConflictException AWS sends (the SDK's
 * DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION). Countries without a rule are allowed.
 */
function refuseByCountryRule(ctx: Ctx, id: string | undefined, to: string): void {
  if (id === undefined) return;
  const bare = id.replace(/^arn:.*:protect-configuration\//, '');
  const rules = Object.hasOwn(ctx.protectConfigurations, bare) ? ctx.protectConfigurations[bare] : undefined;
  if (!rules) {
    throw awsError('ResourceNotFoundException', `Protect configuration ${id} not found.`, {
      ResourceType: 'protect-configuration',
      ResourceId: id,
    });
  }
  const country = countryOfNumber(to);
  if (country && rules[country] === 'BLOCK') {
    ctx.log(`[sms] refused text to ${maskPhone(to)}: ${country} blocked by ${bare}`);
    throw awsError('ConflictException', 'Conflict Occurred', {
      Reason: 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
      ResourceType: 'protect-configuration',
      ResourceId: bare,
    });
  }
}

function optOutListArn(): string {
  return `arn:aws:sms-voice:us-east-1:000000000000:opt-out-list/${OPT_OUT_LIST}`;
}

function requireList(body: Record<string, unknown>) {
  const name = str(body, 'OptOutListName');
  if (name !== OPT_OUT_LIST && !name?.endsWith(`:opt-out-list/${OPT_OUT_LIST}`)) {
    throw awsError('ResourceNotFoundException', `Opt-out list ${name ?? ''} not found.`, {
      ResourceType: 'opt-out-list',
      ResourceId: name ?? '',
    });
  }
}

function optedOutInfo(ctx: Ctx, phone: string) {
  const at = ctx.store.data.optOuts[phone];
  return {
    OptedOutNumber: phone,
    OptedOutTimestamp: (at ? Date.parse(at) : ctx.now()) / 1000,
    EndUserOptedOut: true,
  };
}

function smsOperation(ctx: Ctx, operation: string, body: Record<string, unknown>): unknown {
  switch (operation) {
    case 'SendTextMessage': {
      const to = str(body, 'DestinationPhoneNumber');
      if (!to || !E164.test(to))
        throw validation('DestinationPhoneNumber must be an E.164 number.', 'DestinationPhoneNumber');
      const text = str(body, 'MessageBody');
      if (!text) throw validation('MessageBody is required.', 'MessageBody');
      if (text.length > 1600) throw validation('MessageBody is longer than 1600 characters.', 'MessageBody');
      const origination = str(body, 'OriginationIdentity');
      if (origination && E164.test(origination) && origination !== ctx.opts.serviceNumber) {
        throw awsError('ResourceNotFoundException', `Phone number ${origination} not found.`, {
          ResourceType: 'phone-number',
          ResourceId: origination,
        });
      }
      refuseByCountryRule(ctx, str(body, 'ProtectConfigurationId'), to);
      if (ctx.phones.isOptedOut(to)) {
        ctx.log(`[sms] refused text to ${maskPhone(to)}: opted out`);
        // The SDK models this refusal as a ConflictException carrying this Reason.
        throw awsError('ConflictException', 'The destination phone number is opted out.', {
          Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
          ResourceType: 'opt-out-list',
          ResourceId: OPT_OUT_LIST,
        });
      }
      if (body.DryRun === true) return { MessageId: randomUUID() };
      const from = origination && E164.test(origination) ? origination : ctx.opts.serviceNumber;
      return { MessageId: ctx.phones.deliver(to, text, from).id };
    }
    case 'DescribeOptedOutNumbers': {
      requireList(body);
      const wanted = Array.isArray(body.OptedOutNumbers)
        ? (body.OptedOutNumbers as unknown[]).map(String)
        : undefined;
      const numbers = Object.keys(ctx.store.data.optOuts).filter((n) => !wanted || wanted.includes(n));
      return {
        OptOutListArn: optOutListArn(),
        OptOutListName: OPT_OUT_LIST,
        OptedOutNumbers: numbers.map((n) => optedOutInfo(ctx, n)),
      };
    }
    case 'PutOptedOutNumber':
    case 'DeleteOptedOutNumber': {
      requireList(body);
      const phone = str(body, 'OptedOutNumber');
      if (!phone || !E164.test(phone))
        throw validation('OptedOutNumber must be an E.164 number.', 'OptedOutNumber');
      const put = operation === 'PutOptedOutNumber';
      if (!put && !ctx.phones.isOptedOut(phone)) {
        throw awsError('ResourceNotFoundException', `Opted-out number ${phone} not found.`, {
          ResourceType: 'opted-out-number',
          ResourceId: phone,
        });
      }
      const info = { ...optedOutInfo(ctx, phone), EndUserOptedOut: false };
      void ctx.phones.setOptOut(phone, put);
      return { OptOutListArn: optOutListArn(), OptOutListName: OPT_OUT_LIST, ...info };
    }
    default:
      throw awsError('UnknownOperationException', `Unknown operation ${operation || '(no X-Amz-Target)'}.`);
  }
}
