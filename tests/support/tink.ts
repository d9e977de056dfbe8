/**
 * Test helper: a Google-Health-style signer, written from Tink's published formats (not from the
 * product's verifier): an ECDSA P-256 key pair, its Tink JSON public keyset (EcdsaPublicKey protobuf,
 * SHA256 / NIST_P256 / DER), and signatures in Tink's wire format (0x01, key id, DER), base64.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

export interface TinkSigner {
  keyId: number;
  privateKey: KeyObject;
  /** The keyset entry for this key's public half. */
  keysetEntry(): Record<string, unknown>;
  /** The signature header value for exactly these bytes. */
  sign(body: string | Buffer): string;
}

function field(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}

export function tinkSigner(keyId: number): TinkSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  // Tink writes coordinates as big-endian integers, with a leading zero byte: the verifier must cope.
  const coordinate = (b64url: string) => Buffer.concat([Buffer.from([0]), Buffer.from(b64url, 'base64url')]);
  const params = Buffer.from([0x08, 3, 0x10, 2, 0x18, 2]);
  const key = Buffer.concat([
    Buffer.from([0x08, 0]),
    field(2, params),
    field(3, coordinate(jwk.x as string)),
    field(4, coordinate(jwk.y as string)),
  ]);
  return {
    keyId,
    privateKey,
    keysetEntry: () => ({
      keyData: {
        typeUrl: 'type.googleapis.com/google.crypto.tink.EcdsaPublicKey',
        value: key.toString('base64'),
        keyMaterialType: 'ASYMMETRIC_PUBLIC',
      },
      status: 'ENABLED',
      keyId,
      outputPrefixType: 'TINK',
    }),
    sign: (body) => {
      const prefix = Buffer.alloc(5);
      prefix[0] = 1;
      prefix.writeUInt32BE(keyId, 1);
      const der = sign('sha256', Buffer.from(body), { key: privateKey, dsaEncoding: 'der' });
      return Buffer.concat([prefix, der]).toString('base64');
    },
  };
}

export function keyset(...signers: TinkSigner[]): Record<string, unknown> {
  return { primaryKeyId: signers[0]?.keyId, key: signers.map((s) => s.keysetEntry()) };
}
