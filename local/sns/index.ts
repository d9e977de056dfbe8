/**
 * Local stand-in for Amazon SNS: speaks the AWS Query protocol so @aws-sdk/client-sns works unchanged,
 * fans published messages out to SMS (the sandbox phone network) and to Lambda functions through
 * serverless-offline's Lambda invoke API, and keeps an SMS opt-out list like an AWS account does.
 * Topics, subscriptions and the opt-out list survive a restart (they live in `sns.json` under the
 * stack's data folder), because AWS keeps them: code that only works when they vanish would break there.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { closeServer, E164, listen, maskPhone, readForm } from '../sandbox/http';
import { loadSnsData, type SnsData, type Subscription, saveSnsData, type Topic } from './state';
import {
  entries,
  errorXml,
  type MessageAttribute,
  members,
  readEntryMap,
  readMessageAttributes,
  successXml,
  type XmlNode,
} from './xml';

export interface LocalSns {
  url: string;
  close(): Promise<void>;
  /** In-process publish, as if through the API. Rejects with an `SnsError` when the topic is unknown. */
  publish(topicArn: string, message: string, attributes?: Record<string, MessageAttribute>): Promise<string>;
  /** Adds a number to the account's SMS opt-out list (the sandbox calls this when a phone texts STOP). */
  optOut(phone: string): void;
  /** Removes a number from the opt-out list (START / UNSTOP). */
  optIn(phone: string): void;
  isOptedOut(phone: string): boolean;
  /**
   * Resolves once nothing is in flight: every delivery this SNS started has finished, including the
   * Lambda functions it invoked and whatever they published in turn. Tests wait on this before
   * asserting that nothing (more) was sent.
   */
  settled(): Promise<void>;
}

export interface LocalSnsOptions {
  host: string;
  port: number;
  region: string;
  accountId: string;
  /** e.g. http://127.0.0.1:3002 (serverless-offline's Lambda API) */
  lambdaEndpoint: string;
  /** topic NAME -> full function names to invoke, as serverless.yml's sns events would subscribe them */
  lambdaSubscriptions: Record<string, string[]>;
  /** Where SMS deliveries go (the sandbox phone network). */
  smsSink: (to: string, body: string) => void | Promise<void>;
  log?: (line: string) => void;
  /** Delays between Lambda delivery attempts; tests shorten them. */
  lambdaRetryDelaysMs?: number[];
  /** Where topics, subscriptions and the opt-out list are kept (`sns.json`); none: memory only. */
  dataDir?: string;
}

/** An SNS error as the Query protocol reports it; `code` is the wire code (NotFound, not NotFoundException). */
export class SnsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const LAMBDA_ARN = /^arn:aws:lambda:[^:]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9_$-]+)?$/;
const MAX_MESSAGE_BYTES = 256 * 1024;
/** ListSubscriptions and ListSubscriptionsByTopic return at most this many per call, as on AWS. */
export const SUBSCRIPTIONS_PAGE_SIZE = 100;

export async function startLocalSns(opts: LocalSnsOptions): Promise<LocalSns> {
  const log = opts.log ?? (() => {});
  const retryDelays = opts.lambdaRetryDelaysMs ?? [200, 1000];
  const file = opts.dataDir ? join(opts.dataDir, 'sns.json') : undefined;
  const saved = loadSnsData(file, log);
  const topics = new Map<string, Topic>(saved.topics.map((t) => [t.arn, t]));
  const subscriptions = new Map<string, Subscription>(saved.subscriptions.map((s) => [s.arn, s]));
  const optedOut = new Map<string, string>(Object.entries(saved.optedOut));
  const pending = new Set<Promise<void>>();

  function persist() {
    if (!file) return;
    const data: SnsData = {
      topics: [...topics.values()],
      subscriptions: [...subscriptions.values()],
      optedOut: Object.fromEntries(optedOut),
    };
    saveSnsData(file, data);
  }

  const arnFor = (name: string) => `arn:aws:sns:${opts.region}:${opts.accountId}:${name}`;

  function createTopic(name: string, attributes: Record<string, string> = {}): Topic {
    if (!TOPIC_NAME.test(name)) {
      throw new SnsError(
        400,
        'InvalidParameter',
        'Invalid parameter: Topic Name must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
      );
    }
    const arn = arnFor(name);
    const existing = topics.get(arn);
    if (existing) return existing;
    const topic: Topic = { name, arn, attributes: { DisplayName: '', ...attributes } };
    topics.set(arn, topic);
    persist();
    return topic;
  }

  // Topics that serverless.yml subscribes functions to exist as soon as the stack does.
  for (const name of Object.keys(opts.lambdaSubscriptions)) createTopic(name);

  function requireTopic(arn: string | null): Topic {
    if (!arn) throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: TopicArn');
    const topic = topics.get(arn);
    if (!topic) throw new SnsError(404, 'NotFound', 'Topic does not exist');
    return topic;
  }

  function subscribe(topic: Topic, protocol: string, endpoint: string): Subscription {
    if (protocol === 'sms') {
      if (!E164.test(endpoint))
        throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: SMS endpoint');
    } else if (protocol === 'lambda') {
      if (!LAMBDA_ARN.test(endpoint)) {
        throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: Lambda endpoint ARN');
      }
    } else {
      throw new SnsError(
        400,
        'InvalidParameter',
        `Invalid parameter: Protocol ${protocol} is not supported here`,
      );
    }
    for (const sub of subscriptions.values()) {
      if (sub.topicArn === topic.arn && sub.protocol === protocol && sub.endpoint === endpoint) return sub;
    }
    const sub: Subscription = {
      arn: `${topic.arn}:${randomUUID()}`,
      topicArn: topic.arn,
      protocol,
      endpoint,
    };
    subscriptions.set(sub.arn, sub);
    persist();
    return sub;
  }

  async function deliverSms(to: string, body: string, messageId: string) {
    if (optedOut.has(to)) {
      // SNS accepts the publish and the delivery fails quietly (visible only in delivery status logs).
      log(`[sns] SMS ${messageId} to ${maskPhone(to)} not delivered: number is opted out`);
      return;
    }
    try {
      await opts.smsSink(to, body);
      log(`[sns] SMS ${messageId} delivered to ${maskPhone(to)}`);
    } catch (err) {
      log(`[sns] SMS ${messageId} to ${maskPhone(to)} failed: ${(err as Error).message}`);
    }
  }

  /**
   * AWS invokes asynchronously; here the call waits for the function (RequestResponse) so that
   * `settled()` knows when it has finished. Publish still answers before any of this runs.
   */
  async function invokeLambda(fnName: string, subscriptionArn: string, topic: Topic, event: SnsNotification) {
    const url = `${opts.lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(fnName)}/invocations`;
    const body = JSON.stringify({
      Records: [
        { EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: subscriptionArn, Sns: event },
      ],
    });
    for (let attempt = 0; attempt <= retryDelays.length; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
          body,
        });
        await res.arrayBuffer();
        if (res.status < 400) {
          // A function error is the function's business (its logs and alarms), not a failed delivery.
          const failed = res.headers.get('x-amz-function-error');
          log(
            `[sns] ${topic.name} message ${event.MessageId} -> ${fnName} (HTTP ${res.status}${failed ? `, function error: ${failed}` : ''})`,
          );
          return;
        }
        log(`[sns] ${topic.name} message ${event.MessageId} -> ${fnName} failed: HTTP ${res.status}`);
      } catch (err) {
        log(
          `[sns] ${topic.name} message ${event.MessageId} -> ${fnName} unreachable: ${(err as Error).message}`,
        );
      }
      const delay = retryDelays[attempt];
      if (delay !== undefined) await new Promise((r) => setTimeout(r, delay));
    }
    log(`[sns] ${topic.name} message ${event.MessageId} -> ${fnName}: giving up`);
  }

  /** Fans out in the background: Publish answers before subscribers run, as it does on AWS. */
  function track(work: Promise<void>) {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  }

  function publishToTopic(
    topic: Topic,
    message: string,
    attributes: Record<string, MessageAttribute>,
    subject?: string,
  ) {
    validateMessage(message);
    const messageId = randomUUID();
    const event: SnsNotification = {
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: topic.arn,
      Subject: subject ?? null,
      Message: message,
      Timestamp: new Date().toISOString(),
      SignatureVersion: '1',
      Signature: '',
      SigningCertUrl: '',
      UnsubscribeUrl: '',
      MessageAttributes: attributes,
    };
    const invoked = new Set<string>();
    for (const sub of subscriptions.values()) {
      if (sub.topicArn !== topic.arn) continue;
      if (sub.protocol === 'sms') track(deliverSms(sub.endpoint, message, messageId));
      else {
        const fnName = LAMBDA_ARN.exec(sub.endpoint)?.[1] ?? sub.endpoint;
        invoked.add(fnName);
        track(invokeLambda(fnName, sub.arn, topic, event));
      }
    }
    for (const fnName of opts.lambdaSubscriptions[topic.name] ?? []) {
      if (invoked.has(fnName)) continue;
      // A stable ARN per topic and function, like the subscription CloudFormation would have made.
      track(invokeLambda(fnName, `${topic.arn}:${fnName}`, topic, event));
    }
    return messageId;
  }

  function handle(action: string, form: URLSearchParams): XmlNode | undefined {
    switch (action) {
      case 'CreateTopic': {
        const topic = createTopic(form.get('Name') ?? '', readEntryMap(form, 'Attributes', 'key', 'value'));
        return { TopicArn: topic.arn };
      }
      case 'DeleteTopic': {
        const arn = form.get('TopicArn') ?? '';
        // Deleting a topic that is already gone succeeds on AWS.
        topics.delete(arn);
        for (const sub of [...subscriptions.values()])
          if (sub.topicArn === arn) subscriptions.delete(sub.arn);
        persist();
        return undefined;
      }
      case 'ListTopics':
        return { Topics: members([...topics.values()].map((t) => ({ TopicArn: t.arn }))) };
      case 'GetTopicAttributes': {
        const topic = requireTopic(form.get('TopicArn'));
        const subs = [...subscriptions.values()].filter((s) => s.topicArn === topic.arn).length;
        return {
          Attributes: entries({
            ...topic.attributes,
            TopicArn: topic.arn,
            Owner: opts.accountId,
            SubscriptionsConfirmed: String(subs),
            SubscriptionsPending: '0',
            SubscriptionsDeleted: '0',
          }),
        };
      }
      case 'SetTopicAttributes': {
        const topic = requireTopic(form.get('TopicArn'));
        const name = form.get('AttributeName');
        if (!name) throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: AttributeName');
        topic.attributes[name] = form.get('AttributeValue') ?? '';
        persist();
        return undefined;
      }
      case 'Subscribe': {
        const topic = requireTopic(form.get('TopicArn'));
        const sub = subscribe(topic, form.get('Protocol') ?? '', form.get('Endpoint') ?? '');
        return { SubscriptionArn: sub.arn };
      }
      case 'Unsubscribe': {
        const arn = form.get('SubscriptionArn') ?? '';
        if (!subscriptions.delete(arn)) throw new SnsError(404, 'NotFound', 'Subscription does not exist');
        persist();
        return undefined;
      }
      case 'ListSubscriptionsByTopic': {
        const topic = requireTopic(form.get('TopicArn'));
        return subscriptionPage((s) => s.topicArn === topic.arn, form.get('NextToken'));
      }
      case 'ListSubscriptions':
        return subscriptionPage(() => true, form.get('NextToken'));
      case 'Publish': {
        const message = form.get('Message') ?? '';
        const attributes = readMessageAttributes(form);
        const phone = form.get('PhoneNumber');
        const topicArn = form.get('TopicArn') ?? form.get('TargetArn');
        if (phone) {
          if (!E164.test(phone))
            throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: PhoneNumber');
          validateMessage(message);
          const messageId = randomUUID();
          track(deliverSms(phone, message, messageId));
          return { MessageId: messageId };
        }
        const topic = requireTopic(topicArn);
        return { MessageId: publishToTopic(topic, message, attributes, form.get('Subject') ?? undefined) };
      }
      case 'CheckIfPhoneNumberIsOptedOut': {
        const phone = form.get('phoneNumber') ?? '';
        if (!E164.test(phone)) throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: PhoneNumber');
        return { isOptedOut: String(optedOut.has(phone)) };
      }
      case 'OptInPhoneNumber': {
        const phone = form.get('phoneNumber') ?? '';
        if (!E164.test(phone)) throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: PhoneNumber');
        if (optedOut.delete(phone)) persist();
        return '';
      }
      case 'ListPhoneNumbersOptedOut':
        return { phoneNumbers: members([...optedOut.keys()]) };
      default:
        throw new SnsError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }

  /**
   * One page of up to 100 subscriptions in ARN order. The NextToken (opaque to callers) names the last
   * ARN returned, so a page stays correct when subscriptions come and go between calls.
   */
  function subscriptionPage(filter: (s: Subscription) => boolean, nextToken: string | null): XmlNode {
    let after = '';
    if (nextToken !== null) {
      after = Buffer.from(nextToken, 'base64url').toString('utf8');
      if (!after.startsWith('arn:aws:sns:'))
        throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: NextToken');
    }
    const matching = [...subscriptions.values()]
      .filter((s) => filter(s) && s.arn > after)
      .sort((a, b) => (a.arn < b.arn ? -1 : 1));
    const page = matching.slice(0, SUBSCRIPTIONS_PAGE_SIZE);
    const last = page.at(-1);
    const result: { [tag: string]: XmlNode } = {
      Subscriptions: members(
        page.map((s) => ({
          SubscriptionArn: s.arn,
          Owner: opts.accountId,
          Protocol: s.protocol,
          Endpoint: s.endpoint,
          TopicArn: s.topicArn,
        })),
      ),
    };
    if (matching.length > page.length && last) result.NextToken = Buffer.from(last.arn).toString('base64url');
    return result;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
      res.end(xml);
    };
    try {
      if (req.method !== 'POST') throw new SnsError(400, 'InvalidAction', 'SNS only answers POST /');
      const form = await readForm(req);
      const action = form.get('Action') ?? '';
      const result = handle(action, form);
      send(200, successXml(action, result));
    } catch (err) {
      if (err instanceof SnsError) send(err.status, errorXml('Sender', err.code, err.message));
      else {
        log(`[sns] internal error: ${(err as Error).stack ?? err}`);
        send(500, errorXml('Receiver', 'InternalError', 'Internal error'));
      }
    }
  }

  const server = createServer((req, res) => void onRequest(req, res));
  const url = await listen(server, opts.host, opts.port);
  log(`[sns] listening on ${url}`);

  return {
    url,
    async close() {
      await closeServer(server);
      await Promise.allSettled([...pending]);
    },
    async publish(topicArn, message, attributes = {}) {
      return publishToTopic(requireTopic(topicArn), message, attributes);
    },
    optOut(phone) {
      if (optedOut.has(phone)) return;
      optedOut.set(phone, new Date().toISOString());
      persist();
    },
    optIn(phone) {
      if (optedOut.delete(phone)) persist();
    },
    isOptedOut(phone) {
      return optedOut.has(phone);
    },
    async settled() {
      // Work finishing can start more (a function publishing a reply): wait until none is left.
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

interface SnsNotification {
  Type: 'Notification';
  MessageId: string;
  TopicArn: string;
  Subject: string | null;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertUrl: string;
  UnsubscribeUrl: string;
  MessageAttributes: Record<string, MessageAttribute>;
}

function validateMessage(message: string) {
  if (message === '') throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: Empty message');
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
    throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: Message too long');
  }
}

export type { MessageAttribute } from './xml';
