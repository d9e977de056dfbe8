/**
 * IAM on the local stack, end to end: every AWS call a function makes is checked against its role in
 * the packaged template. A whole subscriber's life passes with each call allowed, and with one
 * statement removed from a role the matching flow is refused, as it would be on AWS.
 */
import type { CfnTemplate } from '../../local/iam/template';
import {
  Browser,
  eventually,
  invokeAsAdmin,
  messagesOf,
  outboundTexts,
  signUpAndConfirm,
  startTestStack,
  type TestStack,
  textFromPhone,
  useTestStack,
} from './stack';

/** Removes one action from a role's statements in the template (and the statement, if left empty). */
function dropAction(roleLogicalId: string, action: string) {
  return (template: CfnTemplate) => {
    const role = template.Resources[roleLogicalId];
    if (!role) throw new Error(`no ${roleLogicalId} in the template`);
    let dropped = 0;
    for (const policy of role.Properties.Policies as {
      PolicyDocument: { Statement: { Action: string[] }[] };
    }[]) {
      const doc = policy.PolicyDocument;
      for (const statement of doc.Statement) {
        const before = statement.Action.length;
        statement.Action = statement.Action.filter((a) => a !== action);
        dropped += before - statement.Action.length;
      }
      doc.Statement = doc.Statement.filter((s) => s.Action.length > 0);
    }
    if (dropped === 0) throw new Error(`${roleLogicalId} has no ${action} to drop`);
  };
}

async function setDevices(stack: TestStack, user: string, level: number) {
  const response = await fetch(`${stack.sandbox}/sandbox/users/${user}/devices`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        deviceType: 'TRACKER',
        batteryStatus: level < 25 ? 'Low' : 'High',
        batteryLevel: level,
        deviceVersion: 'Charge 6',
        lastSyncTime: new Date().toISOString(),
      },
    ]),
  });
  expect(response.status).toBeLessThan(300);
}

/** Quiet hours (22-7 local time) would hold a low-battery text: give the user a zone where it is day. */
async function daytime(stack: TestStack, user: string) {
  const zones = ['Pacific/Honolulu', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo'];
  const timeZone = zones.find((zone) => {
    const hour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(
        new Date(),
      ),
    );
    return hour >= 9 && hour <= 19;
  });
  const response = await fetch(`${stack.sandbox}/sandbox/users/${user}/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ timeZone }),
  });
  expect(response.status).toBeLessThan(300);
}

const denialsOf = (stack: TestStack) => stack.iamCalls().filter((c) => !c.allowed);

describe('the local stack with the template as packaged', () => {
  const stack = useTestStack();

  it("allows every call of a subscriber's whole life, each by the function's own role", async () => {
    const phone = '+12015550190';
    await daytime(stack, 'iam-alice');
    await signUpAndConfirm(stack, 'iam-alice', phone);
    await setDevices(stack, 'iam-alice', 12);
    const round = (await invokeAsAdmin(stack, 'pollBatteries', { force: true })) as { texted: number };
    await outboundTexts(stack, phone, 3);
    await textFromPhone(stack.sandbox, phone, 'STATUS');
    await outboundTexts(stack, phone, 4);
    await textFromPhone(stack.sandbox, phone, 'DELETE');
    await outboundTexts(stack, phone, 5);

    expect(round.texted).toBe(1);
    expect(denialsOf(stack)).toEqual([]);
    const made = new Set(stack.iamCalls().map((c) => `${c.caller} ${c.action}`));
    // LOCAL_IAM_CALLS=1 lists every distinct call (who, what, on what), e.g. to review roles.
    if (process.env.LOCAL_IAM_CALLS === '1') {
      console.log(
        [...new Set(stack.iamCalls().map((c) => `${c.caller} ${c.action} ${c.resource}`))].sort().join('\n'),
      );
    }
    for (const call of [
      'signup dynamodb:PutItem',
      'oauthCallback ssm:GetParameter',
      'oauthCallback dynamodb:PutItem',
      'oauthCallback sns:Publish',
      'oauthCallback sns:CheckIfPhoneNumberIsOptedOut',
      'createUserTopic sns:CreateTopic',
      // A pending sign-up's topic is checked for strays; the phone joins it only on YES.
      'createUserTopic sns:ListSubscriptionsByTopic',
      'inboundSms sns:ListSubscriptionsByTopic',
      'inboundSms sns:Subscribe',
      'inboundSms dynamodb:UpdateItem',
      'pollBatteries dynamodb:Query',
      'pollBatteries lambda:InvokeFunction',
      'checkBatteries dynamodb:BatchGetItem',
      'checkBatteries sns:CheckIfPhoneNumberIsOptedOut',
      'checkBatteries sns:Publish',
      'inboundSms sns:DeleteTopic',
    ]) {
      expect(made).toContain(call);
    }
    // The pages function touches no AWS service at all.
    expect([...made].filter((c) => c.startsWith('pages '))).toEqual([]);
  }, 120_000);

  it('publishes inbound texts as End User Messaging, through the role the template gives it', async () => {
    const phone = '+12015550191';
    await textFromPhone(stack.sandbox, phone, 'HELP');
    await outboundTexts(stack, phone, 1);

    expect(stack.iamCalls()).toContainEqual({
      caller: 'sms-voice.amazonaws.com',
      action: 'sns:Publish',
      resource: `arn:aws:sns:us-east-1:000000000000:fitbit-battery-sms-dev-inbound-sms`,
      allowed: true,
    });
  }, 60_000);

  it('refuses an unsigned call to the Lambda API as AWS does', async () => {
    const response = await fetch(
      `${stack.lambda}/2015-03-31/functions/fitbit-battery-sms-dev-pollBatteries/invocations`,
      {
        method: 'POST',
        body: '{}',
      },
    );

    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });
});

describe('the local stack with a statement removed from a role', () => {
  it("refuses the sign-up when the callback's role lacks dynamodb:PutItem", async () => {
    const stack = await startTestStack(
      {},
      { editTemplate: dropAction('OauthCallbackIamRoleLambdaExecution', 'dynamodb:PutItem') },
    );
    try {
      const phone = '+12015550192';
      const browser = new Browser();
      const signup = await browser.postForm(`${stack.app}/signup`, { phone, consent: 'yes' });
      const authorize = new URL(signup.headers.get('location') ?? '');
      authorize.searchParams.set('sandbox_user', 'iam-bob');
      const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '';
      const landed = await browser.get(callback);

      expect(landed.status).toBeGreaterThanOrEqual(500);
      expect(denialsOf(stack)).toContainEqual({
        caller: 'oauthCallback',
        action: 'dynamodb:PutItem',
        resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/fitbit-battery-sms-dev',
        allowed: false,
      });
      // The callback has answered: nothing it would have announced can reach the phone now.
      expect(await messagesOf(stack.sandbox, phone)).toEqual([]);
    } finally {
      await stack.stop();
    }
  }, 240_000);

  it("sends no low-battery text when the checker's role lacks sns:Publish", async () => {
    const stack = await startTestStack(
      {},
      { editTemplate: dropAction('CheckBatteriesIamRoleLambdaExecution', 'sns:Publish') },
    );
    try {
      const phone = '+12015550193';
      await daytime(stack, 'iam-carol');
      await signUpAndConfirm(stack, 'iam-carol', phone);
      await setDevices(stack, 'iam-carol', 8);
      await invokeAsAdmin(stack, 'pollBatteries', { force: true });

      const denial = await eventually(
        async () => denialsOf(stack).find((c) => c.caller === 'checkBatteries'),
        "the checker's refused publish",
      );
      expect(denial).toMatchObject({ action: 'sns:Publish', allowed: false });
      expect(denial.resource).toMatch(/^arn:aws:sns:us-east-1:000000000000:fitbit-battery-sms-dev-u-/);
      const texts = (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out');
      expect(texts.map((t) => t.body).join('\n')).not.toContain('battery low');
    } finally {
      await stack.stop();
    }
  }, 240_000);
});
