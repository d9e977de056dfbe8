/**
 * An IAM gateway in front of one local emulator (dynalite, local SNS, the sandbox's End User
 * Messaging, the SSM emulator, serverless-offline's Lambda API): reads who signed the request and
 * what it asks for, lets the shared Authorizer decide, and either forwards the request untouched or
 * answers as that AWS service answers a refusal, in its own protocol. Emulators stay IAM-free.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Authorizer, accessKeyIdOf } from './authorizer';

export type ServiceName = 'dynamodb' | 'sns' | 'sms-voice' | 'ssm' | 'lambda';

export interface ServiceCall {
  action: string;
  resource: string;
}

export interface Refusal {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type RefusalKind = 'missing-token' | 'unknown-key' | 'denied';

export interface GatewayContext {
  region: string;
  accountId: string;
  /** The ARN End User Messaging calls the service's own number by. */
  phoneNumberArn: string;
  serviceNumber: string;
}

interface Protocol {
  calls(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    ctx: GatewayContext,
  ): ServiceCall[];
  refuse(kind: RefusalKind, message: string): Refusal;
}

function json(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const target = (headers: IncomingHttpHeaders, prefix: string) => {
  const value = String(headers['x-amz-target'] ?? '');
  return value.startsWith(`${prefix}.`) ? value.slice(prefix.length + 1) : value;
};

const jsonRefusal =
  (contentType: string, typePrefix: string, messageKey: string) =>
  (kind: RefusalKind, message: string): Refusal => {
    const type = {
      'missing-token': 'MissingAuthenticationTokenException',
      'unknown-key': 'UnrecognizedClientException',
      denied: 'AccessDeniedException',
    }[kind];
    return {
      status: 400,
      headers: { 'content-type': contentType, 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': type },
      body: JSON.stringify({ __type: `${typePrefix}${type}`, [messageKey]: message }),
    };
  };

const MISSING = 'Request is missing Authentication Token';
const UNKNOWN = 'The security token included in the request is invalid.';

const dynamodb: Protocol = {
  calls(_m, _p, headers, body, ctx) {
    const op = target(headers, 'DynamoDB_20120810');
    const input = json(body);
    const table = (name: unknown, index?: unknown) =>
      `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${String(name)}${index ? `/index/${String(index)}` : ''}`;
    if (op === 'BatchGetItem' || op === 'BatchWriteItem') {
      return Object.keys((input.RequestItems ?? {}) as object).map((t) => ({
        action: `dynamodb:${op}`,
        resource: table(t),
      }));
    }
    if (op === 'TransactWriteItems' || op === 'TransactGetItems') {
      const names: Record<string, string> = {
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
        ConditionCheck: 'ConditionCheckItem',
        Get: 'GetItem',
      };
      return ((input.TransactItems ?? []) as Record<string, { TableName?: string }>[]).flatMap((item) =>
        Object.entries(item).map(([kind, v]) => ({
          action: `dynamodb:${names[kind] ?? kind}`,
          resource: table(v.TableName),
        })),
      );
    }
    if (input.TableName === undefined) return [{ action: `dynamodb:${op}`, resource: '*' }];
    return [{ action: `dynamodb:${op}`, resource: table(input.TableName, input.IndexName) }];
  },
  refuse: jsonRefusal('application/x-amz-json-1.0', 'com.amazon.coral.service#', 'Message'),
};

function snsXmlError(status: number, code: string, message: string): Refusal {
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const id = randomUUID();
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id },
    body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escaped}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
  };
}

const sns: Protocol = {
  calls(_m, _p, _h, body, ctx) {
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action') ?? '';
    const topic = form.get('TopicArn') ?? form.get('TargetArn');
    let resource = '*';
    if (action === 'CreateTopic')
      resource = `arn:aws:sns:${ctx.region}:${ctx.accountId}:${form.get('Name') ?? ''}`;
    else if (action === 'Unsubscribe') resource = (form.get('SubscriptionArn') ?? '').replace(/:[^:]*$/, '');
    else if (action === 'Publish' && form.get('PhoneNumber')) resource = '*';
    else if (topic) resource = topic;
    return [{ action: `sns:${action}`, resource }];
  },
  refuse(kind, message) {
    if (kind === 'missing-token') return snsXmlError(403, 'MissingAuthenticationToken', MISSING);
    if (kind === 'unknown-key') return snsXmlError(403, 'InvalidClientTokenId', UNKNOWN);
    return snsXmlError(403, 'AuthorizationError', message);
  },
};

const smsVoice: Protocol = {
  calls(_m, _p, headers, body, ctx) {
    const op = target(headers, 'PinpointSMSVoiceV2');
    const input = json(body);
    const arn = (type: string, id: unknown) =>
      String(id).startsWith('arn:')
        ? String(id)
        : `arn:aws:sms-voice:${ctx.region}:${ctx.accountId}:${type}/${String(id)}`;
    if (op === 'SendTextMessage') {
      const origin = input.OriginationIdentity;
      const resource =
        origin === undefined || origin === ctx.serviceNumber || origin === ctx.phoneNumberArn
          ? ctx.phoneNumberArn
          : arn('phone-number', origin);
      const calls = [{ action: 'sms-voice:SendTextMessage', resource }];
      // A named protect configuration is a resource of the call too: allowed on both, or refused.
      if (input.ProtectConfigurationId !== undefined)
        calls.push({
          action: 'sms-voice:SendTextMessage',
          resource: arn('protect-configuration', input.ProtectConfigurationId),
        });
      return calls;
    }
    if (input.OptOutListName !== undefined) {
      return [{ action: `sms-voice:${op}`, resource: arn('opt-out-list', input.OptOutListName) }];
    }
    return [{ action: `sms-voice:${op}`, resource: '*' }];
  },
  refuse: jsonRefusal('application/x-amz-json-1.0', '', 'Message'),
};

const ssm: Protocol = {
  calls(_m, _p, headers, body, ctx) {
    const op = target(headers, 'AmazonSSM');
    const name = String(json(body).Name ?? '');
    const resource = name.startsWith('arn:')
      ? name
      : `arn:aws:ssm:${ctx.region}:${ctx.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
    return [{ action: `ssm:${op}`, resource }];
  },
  refuse: jsonRefusal('application/x-amz-json-1.1', '', 'message'),
};

const lambda: Protocol = {
  calls(method, path, _h, _b, ctx) {
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(path);
    if (method === 'POST' && invoke) {
      const name = decodeURIComponent(invoke[1] as string);
      const resource = name.startsWith('arn:')
        ? name
        : `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
      return [{ action: 'lambda:InvokeFunction', resource }];
    }
    // Anything else the Lambda API answers is an admin's business (listing functions, say).
    return [{ action: 'lambda:ListFunctions', resource: '*' }];
  },
  refuse(kind, message) {
    const type = {
      'missing-token': 'MissingAuthenticationTokenException',
      'unknown-key': 'UnrecognizedClientException',
      denied: 'AccessDeniedException',
    }[kind];
    return {
      status: 403,
      headers: {
        'content-type': 'application/json',
        'x-amzn-requestid': randomUUID(),
        'x-amzn-errortype': type,
      },
      body: JSON.stringify({
        Type: 'User',
        Message: kind === 'denied' ? message : kind === 'unknown-key' ? UNKNOWN : MISSING,
      }),
    };
  },
};

const PROTOCOLS: Record<ServiceName, Protocol> = { dynamodb, sns, 'sms-voice': smsVoice, ssm, lambda };

/** What the gateway would ask IAM for this request (exported for tests). */
export function callsOf(
  service: ServiceName,
  req: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer },
  ctx: GatewayContext,
): ServiceCall[] {
  return PROTOCOLS[service].calls(req.method, req.path, req.headers, req.body, ctx);
}

/** Decides one request: undefined to forward it, or the refusal AWS would send. */
export async function check(
  authorizer: Authorizer,
  service: ServiceName,
  req: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer },
  ctx: GatewayContext,
): Promise<Refusal | undefined> {
  const protocol = PROTOCOLS[service];
  const keyId = accessKeyIdOf(req.headers.authorization);
  if (!keyId) return protocol.refuse('missing-token', MISSING);
  const identity = authorizer.identityForKey(keyId);
  if (!identity) return protocol.refuse('unknown-key', UNKNOWN);
  for (const call of protocol.calls(req.method, req.path, req.headers, req.body, ctx)) {
    const decision = await authorizer.authorize(identity, call.action, call.resource);
    if (!decision.allowed) return protocol.refuse('denied', decision.message);
  }
  return undefined;
}

export interface Gateway {
  url: string;
  close(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startGateway(opts: {
  service: ServiceName;
  upstream: string;
  authorizer: Authorizer;
  context: GatewayContext;
  host: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<Gateway> {
  const upstream = new URL(opts.upstream);
  const log = opts.log ?? (() => {});
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const incoming = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
      const refusal = await check(opts.authorizer, opts.service, incoming, opts.context);
      if (refusal) {
        log(`[iam] ${opts.service} refused: ${refusal.body}`);
        res.writeHead(refusal.status, refusal.headers);
        res.end(refusal.body);
        return;
      }
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.path,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`upstream ${opts.service} unreachable: ${error.message}`);
      });
      forward.end(body);
    })().catch((error: unknown) => {
      log(`[iam] ${opts.service} gateway error: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('local IAM gateway error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
