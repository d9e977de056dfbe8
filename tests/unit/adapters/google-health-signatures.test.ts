import { GoogleHealthSignatures } from '../../../src/adapters/google-health-signatures';
import { keyset, tinkSigner } from '../../support/tink';

const URL_ = 'https://keys.example.test/webhooks_public_keyset.json';
const BODY = '{"data":{"healthUserId":"AbC-123","dataType":"steps","operation":"UPSERT"}}';

function setup(initial: Record<string, unknown>) {
  let served = initial;
  let now = 1_000_000;
  const fetched: string[] = [];
  let failNext = false;
  const fetchImpl = (async (url: string) => {
    fetched.push(url);
    if (failNext) {
      failNext = false;
      return new Response('busy', { status: 503 });
    }
    return new Response(JSON.stringify(served), { status: 200 });
  }) as typeof fetch;
  const signatures = new GoogleHealthSignatures({
    url: URL_,
    timeoutMs: 1000,
    fetch: fetchImpl,
    now: () => now,
  });
  return {
    signatures,
    fetched,
    serve: (next: Record<string, unknown>) => {
      served = next;
    },
    advance: (ms: number) => {
      now += ms;
    },
    failOnce: () => {
      failNext = true;
    },
  };
}

describe('GoogleHealthSignatures', () => {
  it('accepts Google’s signature of exactly the body, fetching the keyset once', async () => {
    const google = tinkSigner(123456789);
    const { signatures, fetched } = setup(keyset(google));

    const first = await signatures.verify(Buffer.from(BODY), google.sign(BODY));
    const second = await signatures.verify(Buffer.from(BODY), google.sign(BODY));

    expect([first, second]).toEqual([true, true]);
    expect(fetched).toEqual([URL_]);
  });

  it('refuses a body changed after signing', async () => {
    const google = tinkSigner(42);
    const { signatures } = setup(keyset(google));
    const tampered = BODY.replace('AbC-123', 'XyZ-999');

    expect(await signatures.verify(Buffer.from(tampered), google.sign(BODY))).toBe(false);
    expect(await signatures.verify(Buffer.from(`${BODY} `), google.sign(BODY))).toBe(false);
  });

  it('refuses a signature by a key that is not in the keyset, even under a known key id', async () => {
    const google = tinkSigner(42);
    const forger = tinkSigner(42);
    const { signatures } = setup(keyset(google));

    expect(await signatures.verify(Buffer.from(BODY), forger.sign(BODY))).toBe(false);
  });

  it('refuses what is not a Tink signature: empty, garbage, the wrong prefix, raw DER', async () => {
    const google = tinkSigner(42);
    const { signatures } = setup(keyset(google));
    const good = Buffer.from(google.sign(BODY), 'base64');
    const legacyPrefix = Buffer.from(good);
    legacyPrefix[0] = 0;

    for (const bad of [
      '',
      'not base64 at all!',
      legacyPrefix.toString('base64'),
      good.subarray(5).toString('base64'),
    ])
      expect(await signatures.verify(Buffer.from(BODY), bad)).toBe(false);
  });

  it('fetches the keyset again when a signature names a key id it does not hold (rotation)', async () => {
    const old = tinkSigner(1);
    const rotated = tinkSigner(2);
    const world = setup(keyset(old));
    expect(await world.signatures.verify(Buffer.from(BODY), old.sign(BODY))).toBe(true);
    world.serve(keyset(rotated, old));
    world.advance(61_000);

    expect(await world.signatures.verify(Buffer.from(BODY), rotated.sign(BODY))).toBe(true);
    expect(world.fetched).toHaveLength(2);
  });

  it('does not let unknown key ids make it fetch more than once a minute', async () => {
    const google = tinkSigner(1);
    const stranger = tinkSigner(99);
    const world = setup(keyset(google));
    await world.signatures.verify(Buffer.from(BODY), google.sign(BODY));

    for (let i = 0; i < 5; i++)
      expect(await world.signatures.verify(Buffer.from(BODY), stranger.sign(BODY))).toBe(false);

    expect(world.fetched).toHaveLength(1);
  });

  it('after a failed first fetch, answers with an error and fetches again only a minute later', async () => {
    const google = tinkSigner(7);
    const world = setup(keyset(google));
    world.failOnce();

    await expect(world.signatures.verify(Buffer.from(BODY), google.sign(BODY))).rejects.toThrow(/HTTP 503/);
    await expect(world.signatures.verify(Buffer.from(BODY), google.sign(BODY))).rejects.toThrow(
      /unavailable/,
    );
    expect(world.fetched).toHaveLength(1);
    world.advance(60_000);
    expect(await world.signatures.verify(Buffer.from(BODY), google.sign(BODY))).toBe(true);
    expect(world.fetched).toHaveLength(2);
  });

  it('keeps serving the last good keys when a refresh fails, and retries no sooner than a minute', async () => {
    const google = tinkSigner(7);
    const world = setup(keyset(google));
    expect(await world.signatures.verify(Buffer.from(BODY), google.sign(BODY))).toBe(true);
    world.advance(3_600_000);
    world.failOnce();

    expect(await world.signatures.verify(Buffer.from(BODY), google.sign(BODY))).toBe(true);
    expect(await world.signatures.verify(Buffer.from(BODY), google.sign(BODY))).toBe(true);
    expect(world.fetched).toHaveLength(2);
    world.advance(60_000);
    expect(await world.signatures.verify(Buffer.from(BODY), google.sign(BODY))).toBe(true);
    expect(world.fetched).toHaveLength(3);
  });

  it('refetches a keyset older than an hour, and shares one fetch among concurrent verifications', async () => {
    const google = tinkSigner(7);
    const world = setup(keyset(google));
    const results = await Promise.all(
      [1, 2, 3].map(() => world.signatures.verify(Buffer.from(BODY), google.sign(BODY))),
    );
    expect(results).toEqual([true, true, true]);
    expect(world.fetched).toHaveLength(1);
    world.advance(3_599_000);
    await world.signatures.verify(Buffer.from(BODY), google.sign(BODY));
    expect(world.fetched).toHaveLength(1);
    world.advance(1_000);
    await world.signatures.verify(Buffer.from(BODY), google.sign(BODY));
    expect(world.fetched).toHaveLength(2);
  });

  it('skips disabled keys and keys of other kinds', async () => {
    const google = tinkSigner(5);
    const disabled = tinkSigner(6);
    const served = keyset(google, disabled) as { key: Array<Record<string, unknown>> };
    (served.key[1] as Record<string, unknown>).status = 'DISABLED';
    served.key.push({
      keyId: 8,
      status: 'ENABLED',
      keyData: { typeUrl: 'type.googleapis.com/google.crypto.tink.Ed25519PublicKey', value: 'AA==' },
    });
    const { signatures } = setup(served);

    expect(await signatures.verify(Buffer.from(BODY), google.sign(BODY))).toBe(true);
    expect(await signatures.verify(Buffer.from(BODY), disabled.sign(BODY))).toBe(false);
  });
});
