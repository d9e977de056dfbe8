/** The phone network: SMS v2 through the real AWS SDK client, inbound texts, opt-outs, the pages. */
import {
  ConflictException,
  DescribeOptedOutNumbersCommand,
  PinpointSMSVoiceV2Client,
  PutOptedOutNumberCommand,
  ResourceNotFoundException,
  SendTextMessageCommand,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { packagedTemplate } from '../../../local/iam/template';
import { deployParams, localConfig } from '../../../local/local-config';
import { TOLL_FREE_STOP_REPLY } from '../../../local/sandbox';
import {
  type SmsKeywordSettings,
  smsKeywordSettings,
  smsProtectConfigurations,
} from '../../../local/serverless-config';
import {
  getJson,
  SERVICE_NUMBER,
  sendJsonTo,
  startTestSandbox,
  type TestSandbox,
  useTestSandbox,
} from './helpers';

/** The template's keyword settings: the same texts a deploy configures on the number. */
let TEMPLATE: SmsKeywordSettings;
/** The id the local stack gives the template's SMS protect configuration (what the functions name). */
let PROTECT_ID: string;
beforeAll(async () => {
  const root = `${__dirname}/../../..`;
  const template = await packagedTemplate(root, 'dev', deployParams(localConfig({})));
  TEMPLATE = smsKeywordSettings(template);
  [PROTECT_ID = ''] = Object.keys(smsProtectConfigurations(template));
});

const PHONE = '+14255550182';
const t = useTestSandbox();
let sms: PinpointSMSVoiceV2Client;
beforeEach(() => {
  sms = new PinpointSMSVoiceV2Client({
    endpoint: t.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
});
afterEach(() => {
  sms.destroy();
});

describe('SMS v2 SendTextMessage', () => {
  it('delivers a text sent with the AWS SDK into the phone conversation', async () => {
    const out = await sms.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: PHONE,
        OriginationIdentity: SERVICE_NUMBER,
        MessageBody: 'Your Charge 6 is at 12%.',
        MessageType: 'TRANSACTIONAL',
      }),
    );
    expect(out.MessageId).toEqual(expect.any(String));
    const messages = await getJson(`${t.url}/sandbox/phones/${encodeURIComponent(PHONE)}/messages`);
    expect(messages.body).toEqual([
      expect.objectContaining({
        direction: 'out',
        body: 'Your Charge 6 is at 12%.',
        from: SERVICE_NUMBER,
        id: out.MessageId,
      }),
    ]);
    const phones = await getJson(`${t.url}/sandbox/phones`);
    expect(phones.body).toEqual([expect.objectContaining({ phone: PHONE, messages: 1, optedOut: false })]);
  });

  it('raises a ValidationException for a destination that is not E.164', async () => {
    await expect(
      sms.send(new SendTextMessageCommand({ DestinationPhoneNumber: '4255550182', MessageBody: 'x' })),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('refuses an opted-out destination with Reason DESTINATION_PHONE_NUMBER_OPTED_OUT', async () => {
    await sms.send(new PutOptedOutNumberCommand({ OptOutListName: 'Default', OptedOutNumber: PHONE }));
    const error = await sms
      .send(new SendTextMessageCommand({ DestinationPhoneNumber: PHONE, MessageBody: 'hello' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).Reason).toBe('DESTINATION_PHONE_NUMBER_OPTED_OUT');
    const list = await sms.send(new DescribeOptedOutNumbersCommand({ OptOutListName: 'Default' }));
    expect(list.OptedOutNumbers?.map((n) => n.OptedOutNumber)).toEqual([PHONE]);
  });

  describe("under the template's protect configuration", () => {
    // A GB mobile by number range (+44 7911 is Guernsey's, a country the rule does not name).
    const UK = '+447400123456';
    const send = (to: string, protect?: string) =>
      sms.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: to,
          MessageBody: 'Reply YES to confirm.',
          ...(protect ? { ProtectConfigurationId: protect } : {}),
        }),
      );

    it('refuses a country it blocks with the ConflictException AWS sends, and delivers nothing', async () => {
      const error = await send(UK, PROTECT_ID).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConflictException);
      expect(error).toMatchObject({
        Reason: 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
        ResourceType: 'protect-configuration',
        ResourceId: PROTECT_ID,
      });
      expect(t.sandbox.phones.messages(UK)).toEqual([]);
    });

    it('delivers to an allowed country, and (with no account default) to any country when none is named', async () => {
      await send(PHONE, PROTECT_ID);
      await send(UK);

      expect(t.sandbox.phones.messages(PHONE)).toHaveLength(1);
      expect(t.sandbox.phones.messages(UK)).toHaveLength(1);
    });

    it('answers ResourceNotFoundException for a protect configuration the account does not have', async () => {
      await expect(send(PHONE, 'protect-0000000000000000')).rejects.toBeInstanceOf(ResourceNotFoundException);
    });
  });

  it('answers UnknownOperationException for an unknown target', async () => {
    const res = await fetch(`${t.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'PinpointSMSVoiceV2.Teleport',
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(expect.objectContaining({ __type: 'UnknownOperationException' }));
  });
});

describe('inbound texts', () => {
  it('records the text and publishes the AWS two-way payload', async () => {
    t.sandbox.phones.deliver(PHONE, 'Reply YES to confirm.');
    const res = await sendJsonTo(`${t.url}/sandbox/phones/${encodeURIComponent(PHONE)}/messages`, 'POST', {
      body: 'yes please',
      inboundMessageId: 'in-1',
    });
    expect(res).toEqual({ status: 202, body: { inboundMessageId: 'in-1' } });
    expect(t.inbound).toHaveLength(1);
    const previous = t.sandbox.phones.messages(PHONE)[0]?.id;
    expect(JSON.parse(t.inbound[0] ?? '')).toEqual({
      originationNumber: PHONE,
      destinationNumber: SERVICE_NUMBER,
      messageKeyword: 'YES',
      messageBody: 'yes please',
      inboundMessageId: 'in-1',
      previousPublishedMessageId: previous,
    });
    const messages = await getJson(`${t.url}/sandbox/phones/${PHONE}/messages`);
    expect((messages.body as unknown as Array<{ direction: string }>).map((m) => m.direction)).toEqual([
      'out',
      'in',
    ]);
  });

  it('rejects a number that is not E.164', async () => {
    const res = await sendJsonTo(`${t.url}/sandbox/phones/12345/messages`, 'POST', { body: 'hi' });
    expect(res.status).toBe(400);
    expect(t.inbound).toHaveLength(0);
  });

  it('opts a number out on STOP and back in on START, still publishing both texts', async () => {
    await sendJsonTo(`${t.url}/sandbox/phones/${PHONE}/messages`, 'POST', { body: 'stop' });
    expect(t.optOutChanges).toEqual([[PHONE, true]]);
    expect(t.sandbox.phones.optedOutNumbers()).toEqual([PHONE]);
    await expect(
      sms.send(new SendTextMessageCommand({ DestinationPhoneNumber: PHONE, MessageBody: 'x' })),
    ).rejects.toBeInstanceOf(ConflictException);
    await sendJsonTo(`${t.url}/sandbox/phones/${PHONE}/messages`, 'POST', { body: 'START' });
    expect(t.optOutChanges).toEqual([
      [PHONE, true],
      [PHONE, false],
    ]);
    expect(t.inbound).toHaveLength(2);
    await expect(
      sms.send(new SendTextMessageCommand({ DestinationPhoneNumber: PHONE, MessageBody: 'x' })),
    ).resolves.toEqual(expect.objectContaining({ MessageId: expect.any(String) }));
  });

  it('leaves the opt-out list alone and answers nothing when opt-outs are self-managed', async () => {
    const quiet = await startTestSandbox({ keywords: { ...TEMPLATE, selfManagedOptOuts: true } });
    try {
      await sendJsonTo(`${quiet.url}/sandbox/phones/${PHONE}/messages`, 'POST', { body: 'STOP' });
      await sendJsonTo(`${quiet.url}/sandbox/phones/${PHONE}/messages`, 'POST', { body: 'HELP' });
      expect(quiet.optOutChanges).toEqual([]);
      expect(quiet.sandbox.phones.isOptedOut(PHONE)).toBe(false);
      expect(quiet.sandbox.phones.messages(PHONE).map((m) => m.direction)).toEqual(['in', 'in']);
      expect(quiet.inbound).toHaveLength(2);
    } finally {
      await quiet.sandbox.close();
    }
  });

  it('clears a conversation', async () => {
    t.sandbox.phones.deliver(PHONE, 'hello');
    const res = await fetch(`${t.url}/sandbox/phones/${PHONE}/messages`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await getJson(`${t.url}/sandbox/phones/${PHONE}/messages`)).body).toEqual([]);
  });
});

describe('keywords, as AWS and the carriers answer them', () => {
  const thread = (sandbox: TestSandbox) =>
    sandbox.sandbox.phones.messages(PHONE).map((m) => [m.direction, m.body]);

  it('the template configures a US toll-free number with AWS-managed keywords and both texts', () => {
    expect(TEMPLATE).toMatchObject({ numberType: 'TOLL_FREE', country: 'US', selfManagedOptOuts: false });
    expect(TEMPLATE.keywordMessages.HELP).toMatch(/^Fitbit Battery SMS: /);
    expect(TEMPLATE.keywordMessages.STOP).toMatch(/unsubscribed/);
  });

  it("toll-free: STOP gets the carriers' own reply and opts out; other opt-out words are plain texts", async () => {
    await sendJsonTo(`${t.url}/sandbox/phones/${PHONE}/messages`, 'POST', { body: 'Quit' });
    expect(t.sandbox.phones.isOptedOut(PHONE)).toBe(false);
    await sendJsonTo(`${t.url}/sandbox/phones/${PHONE}/messages`, 'POST', { body: 'stop' });
    expect(t.sandbox.phones.isOptedOut(PHONE)).toBe(true);
    expect(thread(t)).toEqual([
      ['in', 'Quit'],
      ['in', 'stop'],
      ['out', TOLL_FREE_STOP_REPLY],
    ]);
    // The texts still reach the service.
    expect(t.inbound.map((p) => JSON.parse(p).messageBody)).toEqual(['Quit', 'stop']);
  });

  it('HELP gets the configured answer, and it still reaches the service', async () => {
    await sendJsonTo(`${t.url}/sandbox/phones/${PHONE}/messages`, 'POST', { body: 'help' });
    expect(thread(t)).toEqual([
      ['in', 'help'],
      ['out', TEMPLATE.keywordMessages.HELP],
    ]);
    expect(t.inbound).toHaveLength(1);
  });

  it('a long code answers every required opt-out word with the configured STOP text', async () => {
    const longCode = await startTestSandbox({ keywords: { ...TEMPLATE, numberType: 'TEN_DLC' } });
    try {
      await sendJsonTo(`${longCode.url}/sandbox/phones/${PHONE}/messages`, 'POST', { body: 'unsubscribe' });
      expect(longCode.sandbox.phones.isOptedOut(PHONE)).toBe(true);
      expect(thread(longCode)).toEqual([
        ['in', 'unsubscribe'],
        ['out', TEMPLATE.keywordMessages.STOP],
      ]);
    } finally {
      await longCode.sandbox.close();
    }
  });

  it("after STOP, the service's own texts are refused with DESTINATION_PHONE_NUMBER_OPTED_OUT and never shown", async () => {
    await sendJsonTo(`${t.url}/sandbox/phones/${PHONE}/messages`, 'POST', { body: 'STOP' });
    const refused = sms.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: PHONE,
        OriginationIdentity: SERVICE_NUMBER,
        MessageBody: 'x',
      }),
    );
    await expect(refused).rejects.toBeInstanceOf(ConflictException);
    await expect(refused).rejects.toMatchObject({ Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });
    expect(thread(t)).toEqual([
      ['in', 'STOP'],
      ['out', TOLL_FREE_STOP_REPLY],
    ]);
  });
});

describe('pages', () => {
  it('shows the conversation escaped under a strict CSP, and the reply form posts an inbound text', async () => {
    t.sandbox.phones.deliver(PHONE, '<b>Low battery</b>');
    const page = await fetch(`${t.url}/sandbox/phone`);
    const text = await page.text();
    expect(page.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(text).toContain('&lt;b&gt;Low battery&lt;/b&gt;');
    expect(text).not.toMatch(/<script>(?!<\/script>)/);
    const reply = await fetch(`${t.url}/sandbox/phone/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ from: PHONE, body: 'HELP' }).toString(),
      redirect: 'manual',
    });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toMatch(/^\/sandbox\/phone#/);
    expect(JSON.parse(t.inbound[0] ?? '{}').messageKeyword).toBe('HELP');
  });

  it('changes a battery level from the devices form', async () => {
    await sendJsonTo(`${t.url}/sandbox/users/alice/devices`, 'PUT', [
      { name: 'users/alice/pairedDevices/1', batteryLevel: 90, batteryStatus: 'High' },
    ]);
    const page = await (await fetch(`${t.url}/sandbox/devices`)).text();
    expect(page).toContain('name="batteryLevel"');
    const res = await fetch(`${t.url}/sandbox/devices/update`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        user: 'alice',
        device: 'users/alice/pairedDevices/1',
        batteryLevel: '10',
        batteryStatus: 'auto',
        syncNow: '1',
      }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const devices = await getJson(`${t.url}/sandbox/users/alice/devices`);
    expect(devices.body).toEqual([
      expect.objectContaining({
        batteryLevel: 10,
        batteryStatus: 'Low',
        lastSyncTime: '2026-11-23T12:00:00Z',
      }),
    ]);
  });

  it('serves the stylesheet and scripts from /sandbox/static', async () => {
    for (const [path, type] of [
      ['sandbox.css', 'text/css'],
      ['phone.js', 'text/javascript'],
      ['devices.js', 'text/javascript'],
    ]) {
      const res = await fetch(`${t.url}/sandbox/static/${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
    }
  });
});
