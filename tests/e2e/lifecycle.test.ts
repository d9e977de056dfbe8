/**
 * The findings of issue 12 that were reproduced over HTTP, replayed on the running local stack:
 * a cross-site sign-up (login CSRF), numbers from countries not served, a stranger's unconfirmed
 * number hearing alerts after an expired sign-up, a bare YES handing a subscribed number to an
 * attacker, and strangers using up a person's confirmation texts behind an untruthful page.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_ADMIN_ACCESS_KEY_ID } from '../../local/iam/authorizer';
import {
  Browser,
  daytimeZone,
  messagesOf,
  outboundTexts,
  pollNow,
  secretsIn,
  signUpAndConfirm,
  signUpTo,
  textFromPhone,
  useTestStack,
} from './stack';

const stack = useTestStack();

async function sandboxPut(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${stack.sandbox}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
}

/** The table as the local admin sees it (the IAM gateway refuses unknown callers, as AWS does). */
function table() {
  const client = new DynamoDBClient({
    endpoint: `http://${stack.cfg.host}:${stack.cfg.dynamoPort}`,
    region: stack.cfg.region,
    credentials: { accessKeyId: LOCAL_ADMIN_ACCESS_KEY_ID, secretAccessKey: 'local' },
  });
  return { doc: DynamoDBDocumentClient.from(client), name: `${stack.cfg.service}-${stack.cfg.stage}` };
}

describe('issue 12 on the local stack', () => {
  it('refuses a sign-up posted from another site with 403, and still serves our own form and scripts (finding 3)', async () => {
    const fields = { phone: '+12015550140', consent: 'yes' };
    // What a browser sends for a form another site submits to us.
    const crossSite = await new Browser().postForm(`${stack.app}/signup`, fields, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    const ownPage = await new Browser().postForm(`${stack.app}/signup`, fields, {
      origin: stack.app,
      'sec-fetch-site': 'same-origin',
    });
    const script = await new Browser().postForm(`${stack.app}/signup`, {
      phone: '+12015550140',
      consent: 'yes',
    });

    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('location')).toBeNull();
    expect(crossSite.headers.getSetCookie()).toEqual([]);
    expect(await crossSite.text()).toContain('did not come from our page');
    expect(ownPage.status).toBe(302);
    expect(script.status).toBe(302);
  });

  it('answers a number from a country not served with a 400 page, before any consent (finding 4)', async () => {
    const response = await new Browser().postForm(`${stack.app}/signup`, {
      phone: '+44 7400 123456',
      consent: 'yes',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('cannot text numbers in that country');
  });

  it("never alerts a stranger's number that never said YES, after the sign-up that named it expired (finding 1)", async () => {
    const stranger = '+12015550141';
    const owner = '+12015550142';
    await sandboxPut('/sandbox/users/lc-typo/settings', { timeZone: daytimeZone() });
    expect((await signUpTo(stack, 'lc-typo', stranger)).status).toBe(200);
    await outboundTexts(stack, stranger, 1);
    // What DynamoDB TTL does a day later: the unconfirmed sign-up is gone.
    const { doc, name } = table();
    const items = (await doc.send(new ScanCommand({ TableName: name }))).Items ?? [];
    const pending = items.find((i) => i.kind === 'subscriber' && i.phone === stranger);
    expect(pending).toBeDefined();
    await doc.send(new DeleteCommand({ TableName: name, Key: { pk: pending?.pk } }));

    await signUpAndConfirm(stack, 'lc-typo', owner);
    await sandboxPut('/sandbox/users/lc-typo/devices', [
      {
        deviceType: 'TRACKER',
        batteryStatus: 'Low',
        batteryLevel: 7,
        deviceVersion: 'Charge 6',
        lastSyncTime: new Date().toISOString(),
      },
    ]);
    const round = await pollNow(stack);
    const ownerTexts = await outboundTexts(stack, owner, 3);

    expect(round.texted).toBe(1);
    expect(ownerTexts[2]).toContain('battery low: 7%');
    // The alert reached the owner; a fan-out to the stranger would have landed with it.
    const strangerTexts = (await messagesOf(stack.sandbox, stranger)).filter((m) => m.direction === 'out');
    expect(strangerTexts.map((m) => m.body)).toEqual([expect.stringContaining('reply YES')]);
  });

  it("does not let an attacker's sign-up take a subscribed number with the victim's bare YES (finding 2)", async () => {
    const victim = '+12015550143';
    await signUpAndConfirm(stack, 'lc-victim', victim);
    await sandboxPut('/sandbox/users/lc-attacker/devices', [
      {
        deviceType: 'TRACKER',
        batteryStatus: 'High',
        batteryLevel: 99,
        deviceVersion: 'Evil Watch',
        lastSyncTime: new Date().toISOString(),
      },
    ]);
    expect((await signUpTo(stack, 'lc-attacker', victim)).status).toBe(200);
    const [, , takeover] = await outboundTexts(stack, victim, 3);
    expect(takeover).toContain('already gets alerts');
    expect(takeover).toContain('Ignore this to keep things as they are');

    await textFromPhone(stack.sandbox, victim, 'YES');
    const [, , , answer] = await outboundTexts(stack, victim, 4);
    await textFromPhone(stack.sandbox, victim, 'STATUS');
    const [, , , , status] = await outboundTexts(stack, victim, 5);

    expect(answer).toContain('reply YES and the 4-digit code');
    expect(status).toContain('Charge 6');
    expect(status).not.toContain('Evil Watch');
  });

  it("keeps strangers from using up a person's confirmation texts, and says so when no text could go (finding 5)", async () => {
    const victim = '+12015550144';
    for (let i = 1; i <= 3; i++) {
      expect((await signUpTo(stack, 'lc-pumper', victim)).status).toBe(200);
      await outboundTexts(stack, victim, i);
    }

    const capped = await signUpTo(stack, 'lc-pumper', victim);
    const cappedPage = await capped.text();
    const own = await signUpTo(stack, 'lc-owner', victim);
    const ownPage = await own.text();
    const texts = await outboundTexts(stack, victim, 4);

    expect(capped.status).toBe(429);
    expect(cappedPage).toContain('We could not text +1******0144');
    expect(cappedPage).not.toContain('We are texting');
    expect(own.status).toBe(200);
    expect(ownPage).toContain('We are texting +1******0144');
    expect(texts).toHaveLength(4);
  });

  it('never writes a token, secret, verifier, code or full phone number into the logs', () => {
    expect(secretsIn(stack.logs)).toEqual([]);
  });
});
