/**
 * A minimal SSM Parameter Store for the local stack: answers GetParameter (awsJson1_1) for the
 * SecureStrings it is seeded with, so functions read the OAuth client secret the way they do on AWS.
 * Without WithDecryption a SecureString comes back encrypted, as on AWS. IAM is the gateway's job.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, readBody } from './sandbox/http';

export interface LocalSsm {
  url: string;
  close(): Promise<void>;
}

export async function startLocalSsm(opts: {
  host: string;
  port?: number;
  region: string;
  accountId: string;
  /** name -> SecureString value */
  secureStrings: Record<string, string>;
}): Promise<LocalSsm> {
  const seededAt = Date.now() / 1000;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, type: string, message: string) =>
    send(res, 400, { __type: type, message });

  async function onRequest(req: IncomingMessage, res: ServerResponse) {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSSM\./, '');
    let input: { Name?: unknown; WithDecryption?: unknown };
    try {
      input = JSON.parse((await readBody(req)) || '{}');
    } catch {
      return fail(res, 'SerializationException', 'Request body is not JSON.');
    }
    if (operation !== 'GetParameter') {
      return fail(
        res,
        'UnknownOperationException',
        `The local SSM answers GetParameter only, not ${operation}.`,
      );
    }
    const name = typeof input.Name === 'string' ? input.Name : '';
    const value = Object.hasOwn(opts.secureStrings, name) ? opts.secureStrings[name] : undefined;
    if (value === undefined) return fail(res, 'ParameterNotFound', '');
    const decrypt = input.WithDecryption === true;
    send(res, 200, {
      Parameter: {
        Name: name,
        Type: 'SecureString',
        // Encrypted, a SecureString is KMS ciphertext; any opaque base64 stands in for it here.
        Value: decrypt ? value : Buffer.from(`kms:${randomUUID()}`).toString('base64'),
        Version: 1,
        LastModifiedDate: seededAt,
        ARN: `arn:aws:ssm:${opts.region}:${opts.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
        DataType: 'text',
      },
    });
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => fail(res, 'InternalServerError', String(error)));
  });
  const url = await listen(server, opts.host, opts.port ?? 0);
  return { url, close: () => closeServer(server) };
}
