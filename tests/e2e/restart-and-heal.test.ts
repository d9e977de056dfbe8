/**
 * What AWS keeps, the local stack keeps: a subscriber still hears after `npm start` is stopped and
 * started again on the same data folder. And what an operator deletes by hand (a subscriber's topic),
 * the service makes again: on the next alert, and on a returning sign-up.
 */
import {
  DeleteTopicCommand,
  ListSubscriptionsByTopicCommand,
  paginateListSubscriptions,
  SNSClient,
} from '@aws-sdk/client-sns';
import { LOCAL_ADMIN_ACCESS_KEY_ID } from '../../local/iam/authorizer';
import {
  Browser,
  messagesOf,
  outboundTexts,
  pollNow,
  sandboxJson,
  secretsIn,
  signUpInDaytime,
  useTestStack,
} from './stack';

const stack = useTestStack();

/** The local SNS as an operator's script sees it, signed as the local admin. */
function sns(): SNSClient {
  return new SNSClient({
    endpoint: stack.sns,
    region: stack.cfg.region,
    credentials: { accessKeyId: LOCAL_ADMIN_ACCESS_KEY_ID, secretAccessKey: 'local' },
  });
}

async function goLow(user: string, level: number) {
  await sandboxJson(stack, 'PUT', `/sandbox/users/${user}/devices`, [
    {
      deviceType: 'TRACKER',
      batteryStatus: 'Low',
      batteryLevel: level,
      deviceVersion: 'Charge 6',
      lastSyncTime: new Date().toISOString(),
    },
  ]);
}

/** The topic the phone is subscribed to, found the way a script would: ListSubscriptions, page by page. */
async function topicOf(phone: string): Promise<string | undefined> {
  const client = sns();
  try {
    for await (const page of paginateListSubscriptions({ client }, {})) {
      const found = page.Subscriptions?.find((s) => s.Protocol === 'sms' && s.Endpoint === phone);
      if (found) return found.TopicArn;
    }
    return undefined;
  } finally {
    client.destroy();
  }
}

async function deleteTopic(topicArn: string) {
  const client = sns();
  try {
    await client.send(new DeleteTopicCommand({ TopicArn: topicArn }));
  } finally {
    client.destroy();
  }
}

async function subscribers(topicArn: string): Promise<string[]> {
  const client = sns();
  try {
    const { Subscriptions } = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    return (Subscriptions ?? []).map((s) => s.Endpoint ?? '');
  } finally {
    client.destroy();
  }
}

describe('a restart of the local stack', () => {
  it('keeps topics and subscriptions: a subscriber still gets the alert after a restart', async () => {
    const phone = '+12015550170';
    await signUpInDaytime(stack, 'keep-alice', phone);
    const topic = await topicOf(phone);
    expect(topic).toEqual(expect.stringContaining(':fitbit-battery-sms-dev-'));

    await stack.restart();

    expect(await topicOf(phone)).toBe(topic);
    await goLow('keep-alice', 13);
    const round = await pollNow(stack);
    const texts = await outboundTexts(stack, phone, 3);

    expect(round.texted).toBe(1);
    expect(texts[2]).toContain('Charge 6 battery low: 13%');
    expect(texts).toHaveLength(3);
  }, 240_000);
});

describe('a topic deleted by hand', () => {
  it('is made again on the next alert, with the phone subscribed, and the alert arrives', async () => {
    const phone = '+12015550171';
    await signUpInDaytime(stack, 'heal-bob', phone);
    const topic = (await topicOf(phone)) as string;
    await deleteTopic(topic);
    expect(await topicOf(phone)).toBeUndefined();

    await goLow('heal-bob', 11);
    const round = await pollNow(stack);
    const texts = await outboundTexts(stack, phone, 3);

    expect(round.texted).toBe(1);
    expect(texts[2]).toContain('Charge 6 battery low: 11%');
    expect(await subscribers(topic)).toEqual([phone]);
    expect(stack.logs.join('\n')).toContain('topic no longer existed');
  }, 120_000);

  it('is made again, with the phone subscribed, when the subscriber signs up again', async () => {
    const phone = '+12015550172';
    await signUpInDaytime(stack, 'heal-carol', phone);
    const topic = (await topicOf(phone)) as string;
    await deleteTopic(topic);
    const before = (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out');

    const browser = new Browser();
    const signup = await browser.postForm(`${stack.app}/signup`, { phone, consent: 'yes' });
    const authorize = new URL(signup.headers.get('location') ?? '');
    authorize.searchParams.set('sandbox_user', 'heal-carol');
    const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '';
    expect((await browser.get(callback)).status).toBe(200);
    await stack.settled();

    expect(await subscribers(topic)).toEqual([phone]);
    expect(stack.logs.join('\n')).toContain('stored topic no longer exists; creating it again');
    // A confirmed number that signs up again simply resumes: nothing more is texted.
    expect((await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out')).toEqual(before);
  }, 120_000);

  it('never writes a full phone number or secret into the logs', () => {
    expect(secretsIn(stack.logs)).toEqual([]);
  });
});
