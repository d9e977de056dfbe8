/**
 * A tiny webhook endpoint for the sandbox's webhook tests, written from the contract (not from the
 * sandbox's code): answers Google's verification handshake, requires the shared secret, verifies the
 * signature against the published Tink keyset (refetched when a key id is unknown), answers 204.
 * Every request it saw is recorded; `failNext` makes it answer 500 to the next n notifications.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useStarted } from '../../support/use-started';
import { startTestSandbox, type TestSandbox } from './helpers';

export const SECRET = 'Bearer test-webhook-secret';

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
  /** Why the receiver refused it, when it did. */
  refused?: string;
}

/** Reads a protobuf message's length-delimited fields (the only kind an EcdsaPublicKey uses but varints). */
function protoFields(buf: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let i = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++] as number;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 2) {
      const len = varint();
      out.set(key >> 3, buf.subarray(i, i + len));
      i += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

function coordinate(bytes: Buffer): string {
  let b = bytes;
  while (b.length > 32 && b[0] === 0) b = b.subarray(1);
  if (b.length < 32) b = Buffer.concat([Buffer.alloc(32 - b.length), b]);
  return b.toString('base64url');
}

interface TinkKeyset {
  primaryKeyId: number;
  key: Array<{
    keyId: number;
    status: string;
    outputPrefixType: string;
    keyData: { typeUrl: string; value: string };
  }>;
}

/** Public keys by Tink key id, from a Tink JSON keyset of ECDSA P-256 keys. */
export function keysFromKeyset(keyset: TinkKeyset): Map<number, KeyObject> {
  const keys = new Map<number, KeyObject>();
  for (const k of keyset.key) {
    if (k.status !== 'ENABLED' || !k.keyData.typeUrl.endsWith('EcdsaPublicKey')) continue;
    const f = protoFields(Buffer.from(k.keyData.value, 'base64'));
    // params: hash SHA256 (3), curve NIST_P256 (2), encoding DER (2); anything else is not ours to verify.
    if (!f.get(2)?.equals(Buffer.from([0x08, 0x03, 0x10, 0x02, 0x18, 0x02]))) continue;
    const x = f.get(3);
    const y = f.get(4);
    if (!x || !y) continue;
    keys.set(
      k.keyId,
      createPublicKey({
        key: { kty: 'EC', crv: 'P-256', x: coordinate(x), y: coordinate(y) },
        format: 'jwk',
      }),
    );
  }
  return keys;
}

export class Receiver {
  readonly received: Received[] = [];
  url = '';
  failNext = 0;
  /** Answer the authorized verification with this instead of 201 (to test refusals). */
  verificationStatus = 201;
  /** Answer the unauthorized verification with this instead of 401. */
  unauthorizedStatus = 401;
  keysetFetches = 0;
  private keys = new Map<number, KeyObject>();
  private server: Server | undefined;

  constructor(private readonly keysetUrl: () => string) {}

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req, Buffer.concat(chunks)).then(({ status, refused }) => {
          this.received.push({
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            status,
            refused,
          });
          res.writeHead(status).end();
        });
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/google-health`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  notifications(): Received[] {
    return this.received.filter((r) => !r.body.includes('"verification"'));
  }

  private async refetch() {
    this.keysetFetches++;
    const res = await fetch(this.keysetUrl());
    this.keys = keysFromKeyset((await res.json()) as TinkKeyset);
  }

  /** Verifies a Tink-format ECDSA P-256 signature over the raw body, refetching keys for an unknown id. */
  async verifies(header: string, raw: Buffer): Promise<boolean> {
    const sig = Buffer.from(header, 'base64');
    if (sig.length < 6 || sig[0] !== 1) return false;
    const keyId = sig.readUInt32BE(1);
    if (!this.keys.has(keyId)) await this.refetch();
    const key = this.keys.get(keyId);
    return key !== undefined && verify('sha256', raw, { key, dsaEncoding: 'der' }, sig.subarray(5));
  }

  private async handle(req: IncomingMessage, raw: Buffer): Promise<{ status: number; refused?: string }> {
    let body: { type?: unknown } | undefined;
    try {
      body = JSON.parse(raw.toString('utf8')) as { type?: unknown };
    } catch {
      return { status: 400, refused: 'not JSON' };
    }
    const authorized = req.headers.authorization === SECRET;
    if (body?.type === 'verification')
      return authorized ? { status: this.verificationStatus } : { status: this.unauthorizedStatus };
    if (!authorized) return { status: 401, refused: 'secret' };
    const header = req.headers['x-healthapi-signature'] ?? req.headers['google-health-api-signature'];
    if (typeof header !== 'string') return { status: 401, refused: 'no signature' };
    if (!(await this.verifies(header, raw))) return { status: 403, refused: 'signature' };
    if (this.failNext > 0) {
      this.failNext--;
      return { status: 500, refused: 'told to fail' };
    }
    return { status: 204 };
  }
}

/**
 * A sandbox and a receiver that verifies its signatures, both new for every test in the block and
 * both closed after it (the sandbox reads the packaged template first: slow on a busy machine).
 */
export function useWebhookSandbox(): { t: TestSandbox; receiver: Receiver } {
  return useStarted(
    async () => {
      const t = await startTestSandbox();
      const receiver = await new Receiver(
        () => `${t.url}/googlehealthapi/webhooks/webhooks_public_keyset.json`,
      ).start();
      return { t, receiver };
    },
    async ({ t, receiver }) => {
      await t.sandbox.close();
      await receiver.close();
    },
    { perTest: true, timeoutMs: 180_000 },
  );
}
